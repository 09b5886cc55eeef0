/**
 * Response-rate limiting for UDP, in the manner of BIND, NSD and Knot: replies to one client network
 * (IPv4 /24, IPv6 /56 by default) are metered by a token bucket of `responsesPerSecond`, one second
 * deep. Over the rate a reply is dropped, except every `slip`-th one, which goes out truncated (TC=1,
 * no records): a real resolver behind that network retries over TCP, which a spoofed source cannot,
 * so a reflection attack gets nothing bigger than the query while legitimate clients still get answers.
 * TCP is not limited (its source addresses are real). Memory is bounded: past `maxPrefixes` tracked
 * networks, the table is cleared (a flood of spoofed networks resets the meters, never grows memory).
 */
import { clientPrefix } from './client-prefix.js';

export interface RateLimitOptions {
  /** Replies per second per client network; 0 turns the limiter off. */
  responsesPerSecond: number;
  /** Every slip-th limited reply is sent truncated instead of dropped; 0 never, 1 always. */
  slip: number;
  ipv4PrefixLength: number;
  ipv6PrefixLength: number;
  /** Networks tracked at once (default 100,000: a few MB). */
  maxPrefixes?: number;
  now?: () => number;
}

export type RateVerdict = 'send' | 'drop' | 'slip';

interface Bucket {
  tokens: number;
  at: number;
  limited: number;
}

export class ResponseRateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly now: () => number;
  private readonly maxPrefixes: number;
  /** Limited replies, dropped or slipped, since start. */
  dropped = 0;
  slipped = 0;

  constructor(private readonly opts: RateLimitOptions) {
    this.rate = opts.responsesPerSecond;
    this.now = opts.now ?? Date.now;
    this.maxPrefixes = opts.maxPrefixes ?? 100_000;
  }

  /** Meters one reply to `address` and says what to do with it. */
  check(address: string): RateVerdict {
    const key = clientPrefix(address, this.opts.ipv4PrefixLength, this.opts.ipv6PrefixLength);
    const t = this.now();
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxPrefixes) this.buckets.clear();
      b = { tokens: this.rate, at: t, limited: 0 };
      this.buckets.set(key, b);
    } else if (t > b.at) {
      b.tokens = Math.min(this.rate, b.tokens + ((t - b.at) * this.rate) / 1000);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 'send';
    }
    b.limited++;
    const slip = this.opts.slip;
    if (slip > 0 && b.limited % slip === 0) {
      this.slipped++;
      return 'slip';
    }
    this.dropped++;
    return 'drop';
  }
}

/**
 * The slipped form of a reply to `msg`: header and question only, TC=1, AA=0, NOERROR. Null when the
 * query has no question to copy (its reply is a bare header already: send that).
 */
export function truncatedReply(msg: Buffer): Buffer | null {
  let off = 12;
  for (;;) {
    if (off >= msg.length) return null;
    const len = msg[off]!;
    if (len === 0) break;
    if (len > 63) return null;
    off += len + 1;
  }
  const end = off + 5;
  if (end > msg.length || msg.readUInt16BE(4) !== 1) return null;
  const out = Buffer.from(msg.subarray(0, end));
  out[2] = 0x80 | (msg[2]! & 0x79) | 0x02; // QR, opcode and RD copied, TC
  out[3] = msg[3]! & 0x10; // CD copied, rcode 0
  out.fill(0, 6, 12);
  return out;
}
