/**
 * Webhook signatures. X-Understudy-Signature is `sha256=<hex>`: the HMAC-SHA256, under the webhook's secret,
 * of the attempt's X-Understudy-Timestamp, a dot, and the raw body. The timestamp is signed so that a
 * captured delivery cannot be replayed later with a fresh one; receivers reject old timestamps.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Understudy-Signature';
export const TIMESTAMP_HEADER = 'X-Understudy-Timestamp';
/** How far a delivery's timestamp may be from the receiver's clock, either way, by default: 5 minutes. */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

/** Epoch milliseconds, digits only, so the dot after it in the signed bytes is unambiguous. */
const TIMESTAMP = /^\d{1,16}$/;
const SIGNATURE = /^sha256=[0-9a-f]{64}$/i;

function hmac(timestamp: string, body: string | Buffer, secret: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The X-Understudy-Signature value for one attempt. */
export function signDelivery(timestamp: number | string, body: string | Buffer, secret: string): string {
  const ts = String(timestamp);
  if (!TIMESTAMP.test(ts)) throw new RangeError(`webhook timestamp must be epoch milliseconds, got "${ts}"`);
  return `sha256=${hmac(ts, body, secret).toString('hex')}`;
}

type HeaderValue = string | string[] | null | undefined;

export interface VerifyInput {
  /** The raw request body, exactly as received (verify before parsing). */
  body: string | Buffer;
  secret: string;
  /** The X-Understudy-Signature and X-Understudy-Timestamp headers as received. */
  signature: HeaderValue;
  timestamp: HeaderValue;
  /** The receiver's clock, epoch ms. */
  now: number;
  /** Default DEFAULT_TOLERANCE_MS. */
  toleranceMs?: number;
}

export type VerifyResult =
  | { ok: true; timestamp: number }
  /** `signature`: missing, malformed or wrong (a tampered body or timestamp). `timestamp`: signed, but too old or too far ahead: a replay, or a clock off by more than the tolerance. */
  | { ok: false; reason: 'signature' | 'timestamp' };

/** For receivers: checks the signature in constant time, then the timestamp's age. */
export function verifyDelivery(v: VerifyInput): VerifyResult {
  const { signature, timestamp } = v;
  if (typeof signature !== 'string' || !SIGNATURE.test(signature)) return { ok: false, reason: 'signature' };
  if (typeof timestamp !== 'string' || !TIMESTAMP.test(timestamp)) return { ok: false, reason: 'signature' };
  const got = Buffer.from(signature.slice(7), 'hex');
  if (!timingSafeEqual(hmac(timestamp, v.body, v.secret), got)) return { ok: false, reason: 'signature' };
  const at = Number(timestamp);
  if (Math.abs(v.now - at) > (v.toleranceMs ?? DEFAULT_TOLERANCE_MS))
    return { ok: false, reason: 'timestamp' };
  return { ok: true, timestamp: at };
}
