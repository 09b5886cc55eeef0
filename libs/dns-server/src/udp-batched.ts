/**
 * The UDP path over the batched-I/O addon (udp-native.ts): the addon's reader thread fills a slot of up
 * to BATCH datagrams with one recvmmsg and calls onBatch once; each datagram goes through the same
 * Responder as on the dgram path, the replies are packed into the shared out buffer, and one sendmmsg
 * sends them. No object is made per datagram except a Buffer view of it (cached per position and
 * length), and an address string only when the rate limiter or a warning needs one.
 */
import type { LatencySampler } from './latency-sampler.js';
import { truncatedReply } from './rate-limit.js';
import type { ResponseRateLimiter } from './rate-limit.js';
import type { IoGuard } from './rate-limited-warning.js';
import type { Responder } from './responder.js';
import type { UdpBatchAddon, UdpBatchSocket } from './udp-native.js';

/** The source address of datagram k in text form: [0] family 4|6, [1..2] port, [4..] address. */
export function sourceAddress(addrs: Uint8Array, at: number): string {
  if (addrs[at] === 4) return `${addrs[at + 4]}.${addrs[at + 5]}.${addrs[at + 6]}.${addrs[at + 7]}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((addrs[at + 4 + i]! << 8) | addrs[at + 5 + i]!).toString(16));
  return groups.join(':');
}

export interface BatchDeps {
  responder: Responder;
  guard: IoGuard;
  sampler?: LatencySampler | undefined;
  limiter?: ResponseRateLimiter | undefined;
  /** Sends omsg[0, n) for `slot`; called once per batch (more when the out buffer fills). */
  flush: (slot: number, n: number) => void;
}

type Layout = Pick<UdpBatchAddon, 'BATCH' | 'DGRAM_STRIDE' | 'ADDR_STRIDE' | 'OUT_BYTES'>;

/** Answers the datagrams of one slot into the out buffer. Separate from the socket so tests can drive it. */
export class BatchAnswerer {
  private readonly inBuf: Buffer;
  private readonly lens: Int32Array;
  private readonly addrs: Uint8Array;
  private readonly out: Buffer;
  private readonly omsg: Int32Array;
  private readonly views: (Buffer | undefined)[];
  private readonly viewLens: Int32Array;
  /** Issue 14 part 3: the sender of the datagram being answered, as text only when steering reads it. */
  private readonly src: { addrs: Uint8Array; at: number; address(): string };

  constructor(
    shared: Pick<UdpBatchSocket, 'in' | 'lens' | 'addrs' | 'out' | 'omsg'>,
    private readonly layout: Layout,
    private readonly deps: BatchDeps,
  ) {
    this.inBuf = Buffer.from(shared.in);
    this.lens = new Int32Array(shared.lens);
    this.addrs = new Uint8Array(shared.addrs);
    this.out = Buffer.from(shared.out);
    this.omsg = new Int32Array(shared.omsg);
    this.views = new Array<Buffer | undefined>(this.lens.length).fill(undefined);
    this.viewLens = new Int32Array(this.lens.length).fill(-1);
    const addrs = this.addrs;
    this.src = {
      addrs,
      at: 0,
      address() {
        return sourceAddress(addrs, this.at);
      },
    };
  }

  /** Datagram k as a Buffer; a query stream repeats lengths, so the view is usually reused. */
  private view(k: number, len: number): Buffer {
    if (this.viewLens[k] === len) return this.views[k]!;
    const start = k * this.layout.DGRAM_STRIDE;
    const v = this.inBuf.subarray(start, start + len);
    this.views[k] = v;
    this.viewLens[k] = len;
    return v;
  }

  /**
   * Nothing thrown here may escape: it would be an uncaught exception in the addon's callback and end
   * the process. A datagram that makes the responder throw costs that datagram only.
   */
  readonly answer = (slot: number, count: number): void => {
    const { BATCH, ADDR_STRIDE, OUT_BYTES } = this.layout;
    const { responder: r, guard, sampler, limiter } = this.deps;
    const out = this.out;
    const omsg = this.omsg;
    let n = 0;
    let off = 0;
    const push = (reply: Buffer, len: number, i: number): void => {
      if (off + len > OUT_BYTES) {
        this.deps.flush(slot, n);
        n = 0;
        off = 0;
      }
      reply.copy(out, off, 0, len);
      omsg[n * 3] = off;
      omsg[n * 3 + 1] = len;
      omsg[n * 3 + 2] = i;
      n++;
      off += len;
    };
    for (let i = 0; i < count; i++) {
      const k = slot * BATCH + i;
      const len = this.lens[k]!;
      // Longer than the receive slot (MSG_TRUNC): longer than any query, dropped as answerUdp would.
      if (len < 0) continue;
      const a = k * ADDR_STRIDE;
      // No reply can go to port 0; only forged or broken senders use it.
      if (this.addrs[a + 1] === 0 && this.addrs[a + 2] === 0) {
        guard.udpPortZero.record({ address: sourceAddress(this.addrs, a) });
        continue;
      }
      try {
        const t0 = sampler !== undefined && sampler.tick() ? performance.now() : -1;
        const msg = this.view(k, len);
        this.src.at = a;
        const got = r.answerUdp(msg, this.src);
        if (got === 0) continue;
        if (limiter !== undefined) {
          const verdict = limiter.check(sourceAddress(this.addrs, a));
          if (verdict === 'slip') {
            const tc = truncatedReply(msg);
            if (tc !== null) push(tc, tc.length, i);
          }
          if (verdict !== 'send') continue;
        }
        if (got > 0) push(r.fast.out, got, i);
        else if (r.slowBuf.length <= OUT_BYTES) push(r.slowBuf, r.slowBuf.length, i);
        if (t0 >= 0) sampler!.record((performance.now() - t0) / 1000);
      } catch (err) {
        guard.udpSend.record({ err, address: sourceAddress(this.addrs, a) });
      }
    }
    if (n > 0) this.deps.flush(slot, n);
  };
}

/** One addon socket: bound at open, served from start until close. */
export class BatchedUdpSocket {
  private closed = false;

  private constructor(
    private readonly addon: UdpBatchAddon,
    private readonly s: UdpBatchSocket,
    readonly host: string,
  ) {}

  /** Binds at once (throws with the errno's code, EADDRINUSE included, as dgram's bind rejects). */
  static open(
    addon: UdpBatchAddon,
    host: string,
    port: number,
    reusePort: boolean,
    recvBufferBytes: number,
    deps: Omit<BatchDeps, 'flush'>,
  ): BatchedUdpSocket {
    let s: UdpBatchSocket;
    try {
      s = addon.open(host, port, reusePort, recvBufferBytes);
    } catch (err) {
      // As dgram's bind errors do: say which address, so the operator's one-line error can name it.
      if (err instanceof Error) Object.assign(err, { address: host, port });
      throw err;
    }
    const sock = new BatchedUdpSocket(addon, s, host);
    const answerer = new BatchAnswerer(s, addon, {
      ...deps,
      flush: (slot, n) => {
        const r = addon.send(s.handle, slot, n);
        if (r !== null) for (let i = 0; i < r.failed; i++) deps.guard.udpSend.record({ err: r.error, host });
      },
    });
    addon.start(s.handle, answerer.answer);
    return sock;
  }

  address(): { address: string; family: string; port: number } {
    return { address: this.host, family: this.host.includes(':') ? 'IPv6' : 'IPv4', port: this.s.port };
  }

  /** Joins the reader thread and closes the socket; batches still queued are dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.addon.close(this.s.handle);
  }
}
