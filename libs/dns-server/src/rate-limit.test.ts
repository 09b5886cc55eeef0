import { describe, expect, it } from 'vitest';
import { ResponseRateLimiter, truncatedReply } from './rate-limit.js';
import { buildQuery, decodeReply } from './test-support/query.js';

function limiter(
  rate: number,
  slip: number,
  clock: { t: number },
  maxPrefixes?: number,
): ResponseRateLimiter {
  return new ResponseRateLimiter({
    responsesPerSecond: rate,
    slip,
    ipv4PrefixLength: 24,
    ipv6PrefixLength: 56,
    now: () => clock.t,
    ...(maxPrefixes === undefined ? {} : { maxPrefixes }),
  });
}

describe('ResponseRateLimiter', () => {
  it('lets a network have its rate per second, then drops and slips every slip-th reply', () => {
    const clock = { t: 1000 };
    const l = limiter(10, 2, clock);
    const verdicts = Array.from({ length: 16 }, (_, i) => l.check(`192.0.2.${i}`));
    expect(verdicts.slice(0, 10)).toEqual(Array(10).fill('send'));
    expect(verdicts.slice(10)).toEqual(['drop', 'slip', 'drop', 'slip', 'drop', 'slip']);
    expect([l.dropped, l.slipped]).toEqual([3, 3]);
    // Another /24 has its own bucket; the first refills at the rate.
    expect(l.check('192.0.3.1')).toBe('send');
    clock.t += 300;
    expect(Array.from({ length: 4 }, () => l.check('192.0.2.99'))).toEqual(['send', 'send', 'send', 'drop']);
  });

  it('meters IPv6 clients per /56, and with slip 1 truncates every limited reply', () => {
    const clock = { t: 0 };
    const l = limiter(2, 1, clock);
    expect(['2001:db8:0:1::1', '2001:db8:0:2::1', '2001:db8:0:3::1'].map((a) => l.check(a))).toEqual([
      'send',
      'send',
      'slip',
    ]);
    expect(l.check('2001:db8:0:100::1')).toBe('send');
  });

  it('keeps its table bounded under spoofed networks', () => {
    const clock = { t: 0 };
    const l = limiter(1, 0, clock, 100);
    for (let i = 0; i < 1000; i++) l.check(`10.${i >> 8}.${i & 0xff}.1`);
    expect((l as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(100);
  });
});

describe('truncatedReply', () => {
  it('is the header and question with TC=1 and no records', () => {
    const q = buildQuery({ name: 'www.example.test', id: 99, rd: true, edns: {} });
    const r = decodeReply(truncatedReply(q)!);
    expect(r).toMatchObject({
      id: 99,
      qr: true,
      tc: true,
      rd: true,
      aa: false,
      rcode: 0,
      answer: [],
      opt: null,
    });
    expect(r.questions).toEqual([{ name: 'www.example.test', type: 1, class: 1 }]);
    expect(truncatedReply(Buffer.alloc(12))).toBeNull();
  });
});
