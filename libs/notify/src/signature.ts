/** HMAC-SHA256 signatures of webhook bodies, in the `sha256=<hex>` form of X-Understudy-Signature. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Understudy-Signature';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * For receivers: true when `header` is the signature of the raw `body` under `secret`. Compares in
 * constant time; any malformed header is simply false.
 */
export function verifySignature(
  body: string | Buffer,
  secret: string,
  header: string | string[] | null | undefined,
): boolean {
  if (typeof header !== 'string' || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const want = Buffer.from(signBody(body, secret).slice(7), 'hex');
  const got = Buffer.from(header.slice(7), 'hex');
  return timingSafeEqual(want, got);
}
