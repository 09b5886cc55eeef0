/**
 * Follows the RFC 1035 §4.2.2 framing (2-octet length, then the message) over a connection's chunks
 * without copying them, to refuse an oversized frame as soon as its length prefix arrives. dns2's
 * reader buffers a whole frame before handing it over; with this in front, what it buffers per
 * connection is bounded by our limit instead of 64 KiB.
 */
export class FrameWatch {
  /** First octet of a length prefix split across chunks, else -1. */
  private high = -1;
  /** Octets of the current message not seen yet. */
  private bodyLeft = 0;

  constructor(private readonly maxMessage: number) {}

  /** Feeds the next chunk; false once a frame announces more than maxMessage octets. */
  push(chunk: Uint8Array): boolean {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= take;
        i += take;
      } else if (this.high < 0) {
        this.high = chunk[i++]!;
      } else {
        const len = (this.high << 8) | chunk[i++]!;
        this.high = -1;
        if (len > this.maxMessage) return false;
        this.bodyLeft = len;
      }
    }
    return true;
  }
}
