/**
 * RFC 1035 §4.2.2 framing (2-octet length, then the message) over a connection's chunks. A frame that
 * announces more than the limit is refused as soon as its length prefix arrives, so what one
 * connection can make us buffer is bounded by the limit, not by 64 KiB. A frame that sits whole inside
 * a chunk is handed over without a copy.
 */
export class FrameReader {
  /** First octet of a length prefix split across chunks, else -1. */
  private high = -1;
  /** The body being assembled across chunks, and how much of it has arrived. */
  private body: Buffer | null = null;
  private have = 0;
  /** Frames completed so far: lets a timer tell "still the same partial frame" from "a new one". */
  completed = 0;

  constructor(
    private readonly maxMessage: number,
    private readonly onFrame: (msg: Buffer) => void,
  ) {}

  /** True while a frame (its prefix included) has started but not completed. */
  get partial(): boolean {
    return this.high >= 0 || this.body !== null;
  }

  /** Feeds the next chunk, handing over each frame it completes; false once a frame is too long. */
  push(chunk: Buffer): boolean {
    let i = 0;
    while (i < chunk.length) {
      const body = this.body;
      if (body !== null) {
        const take = Math.min(body.length - this.have, chunk.length - i);
        chunk.copy(body, this.have, i, i + take);
        this.have += take;
        i += take;
        if (this.have === body.length) this.deliver(body);
        continue;
      }
      let len: number;
      if (this.high >= 0) {
        len = (this.high << 8) | chunk[i++]!;
        this.high = -1;
      } else if (i + 1 < chunk.length) {
        len = (chunk[i]! << 8) | chunk[i + 1]!;
        i += 2;
      } else {
        this.high = chunk[i++]!;
        continue;
      }
      if (len > this.maxMessage) return false;
      if (i + len <= chunk.length) {
        this.deliver(chunk.subarray(i, i + len));
        i += len;
      } else {
        this.body = Buffer.allocUnsafe(len);
        this.have = 0;
      }
    }
    return true;
  }

  private deliver(msg: Buffer): void {
    this.body = null;
    this.completed++;
    this.onFrame(msg);
  }
}
