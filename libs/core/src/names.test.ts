import { describe, expect, it } from 'vitest';
import { findZone, isInZone, normalizeName, resolveOwner } from './names.js';

describe('names', () => {
  it.each([
    ['Example.TEST', 'example.test.'],
    ['example.test.', 'example.test.'],
    ['', '.'],
    ['.', '.'],
    ['_sip._tcp.example.test', '_sip._tcp.example.test.'],
    ['*.example.test', '*.example.test.'],
  ])('normalizes %s to %s', (input, out) => {
    expect(normalizeName(input)).toEqual({ ok: true, name: out });
  });

  it.each([
    ['a..b', 'empty label'],
    [`${'x'.repeat(64)}.test`, 'longer than 63'],
    ['bad!name.test', 'characters outside'],
    ['a.*.test', 'first label'],
    ['-a.test', 'characters outside'],
    [`${'abcdefghi.'.repeat(26)}test`, 'longer than 253'],
  ])('rejects %s', (input, why) => {
    const r = normalizeName(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });

  it('resolves owners relative to the apex', () => {
    expect(resolveOwner('@', 'example.test.')).toEqual({ ok: true, name: 'example.test.' });
    expect(resolveOwner('', 'example.test.')).toEqual({ ok: true, name: 'example.test.' });
    expect(resolveOwner('www', 'example.test.')).toEqual({ ok: true, name: 'www.example.test.' });
    expect(resolveOwner('other.test.', 'example.test.')).toEqual({ ok: true, name: 'other.test.' });
    expect(resolveOwner('www', '.')).toEqual({ ok: true, name: 'www.' });
  });

  it('knows zone membership and the closest zone', () => {
    expect(isInZone('a.example.test.', 'example.test.')).toBe(true);
    expect(isInZone('example.test.', 'example.test.')).toBe(true);
    expect(isInZone('badexample.test.', 'example.test.')).toBe(false);
    expect(isInZone('anything.', '.')).toBe(true);
    expect(findZone('a.sub.example.test.', ['example.test.', 'sub.example.test.'])).toBe('sub.example.test.');
    expect(findZone('other.test.', ['example.test.'])).toBeUndefined();
  });
});
