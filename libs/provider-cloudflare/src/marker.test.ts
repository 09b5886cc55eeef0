import { describe, expect, it } from 'vitest';
import { isOwnedBy, markerOwner, ownerIdProblem, ownerMarker } from './marker.js';
import { retryAfterMs } from './retry-after.js';
import { canonicalValue, valueFields } from './record-map.js';

describe('ownership marker', () => {
  it('writes and reads understudy:owner=<id>', () => {
    expect(ownerMarker('prod-1')).toBe('understudy:owner=prod-1');
    expect(markerOwner('understudy:owner=prod-1')).toBe('prod-1');
    expect(markerOwner('managed; understudy:owner=prod-1 do not edit')).toBe('prod-1');
    expect(markerOwner('xunderstudy:owner=prod-1')).toBeNull();
    expect(markerOwner(null)).toBeNull();
    expect(isOwnedBy('understudy:owner=prod-10', 'prod-1')).toBe(false);
    expect(isOwnedBy('understudy:owner=prod-1', 'prod-1')).toBe(true);
  });

  it('refuses owner ids that cannot live in a comment', () => {
    expect(ownerIdProblem('prod-1')).toBeNull();
    expect(ownerIdProblem('a b')).toMatch(/letters, digits/);
    expect(ownerIdProblem('x'.repeat(90))).toMatch(/too long/);
  });
});

describe('Retry-After and Ratelimit headers', () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it('prefers Retry-After seconds, then dates, then the Ratelimit reset', () => {
    expect(retryAfterMs(h({ 'retry-after': '7' }), 0)).toBe(7000);
    expect(retryAfterMs(h({ 'retry-after': new Date(60_000).toUTCString() }), 0)).toBe(60_000);
    expect(retryAfterMs(h({ ratelimit: '"default";r=0;t=42' }), 0)).toBe(42_000);
    expect(retryAfterMs(h({ ratelimit: 'limit=1200, remaining=0, reset=9' }), 0)).toBe(9000);
    expect(retryAfterMs(h({}), 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('record bodies', () => {
  it('maps split fields both ways', () => {
    expect(valueFields('MX', '10 mx.example.')).toEqual({ content: 'mx.example', priority: 10 });
    expect(
      canonicalValue({ id: '1', name: 'a', type: 'MX', content: 'MX.example', priority: 10, ttl: 1 }),
    ).toBe('10 mx.example.');
    expect(canonicalValue({ id: '1', name: 'a', type: 'TXT', content: 'plain text', ttl: 1 })).toBe(
      '"plain text"',
    );
    expect(canonicalValue({ id: '1', name: 'a', type: 'PTR', content: 'x.example', ttl: 1 })).toBeNull();
    expect(canonicalValue({ id: '1', name: 'a', type: 'AAAA', content: '2001:DB8:0::1', ttl: 1 })).toBe(
      '2001:db8::1',
    );
    expect(() => valueFields('A', 'nope')).toThrow(/cannot write A value/);
  });
});
