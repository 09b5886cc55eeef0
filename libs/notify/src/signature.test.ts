import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './signature.js';

describe('webhook signatures', () => {
  const body = '{"kind":"failover"}';

  it('is the hex HMAC-SHA256 of the raw body', () => {
    const hex = createHmac('sha256', 's3cret').update(body).digest('hex');
    expect(signBody(body, 's3cret')).toBe(`sha256=${hex}`);
    expect(verifySignature(body, 's3cret', `sha256=${hex}`)).toBe(true);
    expect(verifySignature(Buffer.from(body), 's3cret', `sha256=${hex.toUpperCase()}`)).toBe(true);
  });

  it('refuses another body, another secret and malformed headers', () => {
    const sig = signBody(body, 's3cret');
    expect(verifySignature(`${body} `, 's3cret', sig)).toBe(false);
    expect(verifySignature(body, 'other', sig)).toBe(false);
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
      expect(verifySignature(body, 's3cret', bad)).toBe(false);
  });
});
