import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeliveryDedupe } from './dedupe.js';
import { DEFAULT_TOLERANCE_MS, signDelivery, verifyDelivery } from './signature.js';

describe('webhook signatures', () => {
  const body = '{"kind":"failover","dedupeKey":"k:1"}';
  const secret = 's3cret';
  const at = 1_767_225_700_000;
  const input = (over: Partial<Parameters<typeof verifyDelivery>[0]> = {}) => ({
    body,
    secret,
    signature: signDelivery(at, body, secret),
    timestamp: String(at),
    now: at + 1000,
    ...over,
  });

  it('is the hex HMAC-SHA256 of the timestamp, a dot and the raw body', () => {
    const hex = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
    expect(signDelivery(at, body, secret)).toBe(`sha256=${hex}`);
    expect(verifyDelivery(input())).toEqual({ ok: true, timestamp: at });
    expect(
      verifyDelivery(input({ body: Buffer.from(body), signature: `sha256=${hex.toUpperCase()}` })),
    ).toEqual({
      ok: true,
      timestamp: at,
    });
  });

  it('a tampered timestamp fails the signature, even a fresh one', () => {
    expect(verifyDelivery(input({ timestamp: String(at + 1) }))).toEqual({ ok: false, reason: 'signature' });
    // The replay attack: an old delivery with today's time put in the header.
    const old = at - 3600_000;
    const replay = input({ signature: signDelivery(old, body, secret), timestamp: String(at) });
    expect(verifyDelivery(replay)).toEqual({ ok: false, reason: 'signature' });
  });

  it('a replayed delivery with its old timestamp is refused as too old; one too far ahead too', () => {
    expect(verifyDelivery(input({ now: at + DEFAULT_TOLERANCE_MS }))).toMatchObject({ ok: true });
    expect(verifyDelivery(input({ now: at + DEFAULT_TOLERANCE_MS + 1 }))).toEqual({
      ok: false,
      reason: 'timestamp',
    });
    expect(verifyDelivery(input({ now: at - 60_001, toleranceMs: 60_000 }))).toEqual({
      ok: false,
      reason: 'timestamp',
    });
  });

  it('refuses another body, another secret and malformed headers', () => {
    expect(verifyDelivery(input({ body: `${body} ` }))).toEqual({ ok: false, reason: 'signature' });
    expect(verifyDelivery(input({ secret: 'other' }))).toEqual({ ok: false, reason: 'signature' });
    const sig = signDelivery(at, body, secret);
    for (const bad of [
      undefined,
      null,
      '',
      'sha256=',
      sig.slice(7),
      `sha1=${sig.slice(7)}`,
      `${sig}00`,
      ['x'],
    ])
      expect(verifyDelivery(input({ signature: bad }))).toEqual({ ok: false, reason: 'signature' });
    for (const bad of [undefined, '', '-1', '1.5', `${at}.`, ' 1', [String(at)]])
      expect(verifyDelivery(input({ timestamp: bad }))).toEqual({ ok: false, reason: 'signature' });
    expect(() => signDelivery('12.3', body, secret)).toThrow(/epoch milliseconds/);
  });
});

describe('DeliveryDedupe', () => {
  it('handles a key once, forgets it after retainMs, and stays within max', () => {
    const d = new DeliveryDedupe({ retainMs: 2 * DEFAULT_TOLERANCE_MS, max: 3 });
    expect(d.firstSeen('a', 0)).toBe(true);
    expect(d.firstSeen('a', 1)).toBe(false);
    expect(d.firstSeen('a', 2 * DEFAULT_TOLERANCE_MS)).toBe(true); // expired, seen anew
    for (const k of ['b', 'c', 'd']) d.firstSeen(k, 2 * DEFAULT_TOLERANCE_MS + 1);
    expect(d.size).toBe(3);
    expect(() => new DeliveryDedupe({ retainMs: 1000 })).toThrow(/retainMs/);
  });
});
