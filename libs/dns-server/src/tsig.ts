/**
 * TSIG (RFC 8945) with HMAC-SHA256: verifying a signed request, signing the reply, and the chained
 * digests of a multi-message transfer (§5.3.1: every later message digests the prior MAC, its own
 * octets and only the timers). Keys are plain { name, secret }; the secret comes from the environment.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS_ANY, TYPE_TSIG, canonicalWire } from './xfr-wire.js';
import type { TsigRecord, WireName } from './xfr-wire.js';

export interface TsigKey {
  /** Lower-case, with the trailing dot ("xfr-key."). */
  name: string;
  /** The decoded secret. */
  secret: Buffer;
}

export const ALGORITHM = 'hmac-sha256.';
export const TSIG_ERROR = { BADSIG: 16, BADKEY: 17, BADTIME: 18 } as const;
export const RCODE_NOTAUTH = 9;
const DEFAULT_FUDGE = 300;

export function wireNameOf(dotted: string): WireName {
  const labels =
    dotted === '.'
      ? []
      : dotted
          .slice(0, -1)
          .split('.')
          .map((l) => Buffer.from(l, 'latin1'));
  return { labels, key: dotted.toLowerCase() };
}

const ALG_WIRE = canonicalWire(wireNameOf(ALGORITHM));

function u16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}

function u48(v: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUIntBE(v, 0, 6);
  return b;
}

function withMacPrefix(mac: Buffer): Buffer[] {
  return [u16(mac.length), mac];
}

/** The TSIG variables of §4.3.3 for a first message. */
function variables(keyWire: Buffer, time: number, fudge: number, error: number, other: Buffer): Buffer[] {
  return [
    keyWire,
    u16(CLASS_ANY),
    Buffer.alloc(4),
    ALG_WIRE,
    u48(time),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ];
}

function hmac(secret: Buffer, parts: Buffer[]): Buffer {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The message as it was before its TSIG was added: TSIG cut off, ARCOUNT less one, the original ID. */
function unsignedPart(msg: Buffer, t: TsigRecord): Buffer {
  const m = Buffer.from(msg.subarray(0, t.start));
  m.writeUInt16BE(t.originalId, 0);
  m.writeUInt16BE(m.readUInt16BE(10) - 1, 10);
  return m;
}

export type VerifyResult = { ok: true; key: TsigKey } | { ok: false; error: number; key: TsigKey | null };

/** Verifies a request's TSIG (§5.2); `nowSec` is Unix seconds. */
export function verifyRequest(
  msg: Buffer,
  t: TsigRecord,
  keys: ReadonlyMap<string, TsigKey>,
  nowSec: number,
): VerifyResult {
  const key = keys.get(t.name.key);
  if (!key || t.algorithm.key !== ALGORITHM) return { ok: false, error: TSIG_ERROR.BADKEY, key: null };
  const expect = hmac(key.secret, [
    unsignedPart(msg, t),
    ...variables(canonicalWire(t.name), t.timeSigned, t.fudge, t.error, t.other),
  ]);
  // §5.2.2: a MAC truncated below half its length or 10 octets is refused; we accept only the full one.
  if (t.mac.length !== expect.length || !timingSafeEqual(t.mac, expect))
    return { ok: false, error: TSIG_ERROR.BADSIG, key };
  if (Math.abs(nowSec - t.timeSigned) > t.fudge) return { ok: false, error: TSIG_ERROR.BADTIME, key };
  return { ok: true, key };
}

/** A TSIG resource record (owner = key name, uncompressed) ready to append to a message. */
export function tsigRecord(
  key: TsigKey,
  time: number,
  fudge: number,
  mac: Buffer,
  id: number,
  error: number,
  other: Buffer,
): Buffer {
  const keyWire = canonicalWire(wireNameOf(key.name));
  const rdata = Buffer.concat([
    ALG_WIRE,
    u48(time),
    u16(fudge),
    ...withMacPrefix(mac),
    u16(id),
    u16(error),
    u16(other.length),
    other,
  ]);
  return Buffer.concat([keyWire, u16(TYPE_TSIG), u16(CLASS_ANY), Buffer.alloc(4), u16(rdata.length), rdata]);
}

/** Appends `rr` to `msg` as one more additional record. */
function append(msg: Buffer, rr: Buffer): Buffer {
  const out = Buffer.concat([msg, rr]);
  out.writeUInt16BE(out.readUInt16BE(10) + 1, 10);
  return out;
}

/**
 * Signs the messages of one reply in order: the first with the request's MAC and the full variables,
 * each later one chained on the previous MAC with the timers only (RFC 8945 §5.3.1).
 */
export class TsigSigner {
  private prior: Buffer | null;
  private first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer | null,
    private readonly nowSec: () => number,
    private readonly fudge = DEFAULT_FUDGE,
  ) {
    this.prior = requestMac;
  }

  sign(msg: Buffer, error = 0, other: Buffer = Buffer.alloc(0)): Buffer {
    const time = this.nowSec();
    const id = msg.readUInt16BE(0);
    const prefix = this.prior ? withMacPrefix(this.prior) : [];
    const parts = this.first
      ? [
          ...prefix,
          msg,
          ...variables(canonicalWire(wireNameOf(this.key.name)), time, this.fudge, error, other),
        ]
      : [...prefix, msg, u48(time), u16(this.fudge)];
    const mac = hmac(this.key.secret, parts);
    this.prior = mac;
    this.first = false;
    return append(msg, tsigRecord(this.key, time, this.fudge, mac, id, error, other));
  }
}

/** An unsigned error TSIG (BADKEY/BADSIG, §5.3.2): empty MAC, the request's time. */
export function unsignedErrorTsig(msg: Buffer, t: TsigRecord, error: number): Buffer {
  const key: TsigKey = { name: t.name.key, secret: Buffer.alloc(0) };
  return append(
    msg,
    tsigRecord(key, t.timeSigned, t.fudge, Buffer.alloc(0), msg.readUInt16BE(0), error, Buffer.alloc(0)),
  );
}

/** Verifies the TSIG of a reply to a request we signed with `requestMac` (NOTIFY acks). */
export function verifyReply(msg: Buffer, t: TsigRecord, key: TsigKey, requestMac: Buffer): boolean {
  if (t.name.key !== key.name || t.algorithm.key !== ALGORITHM) return false;
  const expect = hmac(key.secret, [
    ...withMacPrefix(requestMac),
    unsignedPart(msg, t),
    ...variables(canonicalWire(t.name), t.timeSigned, t.fudge, t.error, t.other),
  ]);
  return t.mac.length === expect.length && timingSafeEqual(t.mac, expect);
}
