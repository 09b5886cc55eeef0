import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0s', 0],
    [' 10s ', 10_000],
    ['30', 30_000],
    ['2.5', 2500],
  ])('reads %j as %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it('treats a bare number as seconds', () => {
    expect(parseDuration(10)).toBe(10_000);
    expect(parseDuration(0.25)).toBe(250);
    expect(parseDuration(0)).toBe(0);
  });

  it.each([
    ['-5s', /negative/],
    ['', /empty/],
    ['5x', /not a duration/],
    ['s', /not a duration/],
    ['10 s', /not a duration/],
    ['1m 30s', /not a duration/],
    ['30s1m', /largest first/],
    ['1s1s', /largest first/],
    ['ten seconds', /not a duration/],
    ['1e3s', /not a duration/],
  ])('rejects %j', (input, message) => {
    expect(() => parseDuration(input)).toThrow(message);
  });

  it('rejects negative, infinite and NaN numbers', () => {
    expect(() => parseDuration(-1)).toThrow(/negative/);
    expect(() => parseDuration(Infinity)).toThrow(/finite/);
    expect(() => parseDuration(NaN)).toThrow(/finite/);
  });

  it('rejects durations too large to be exact', () => {
    expect(() => parseDuration('99999999999999999d')).toThrow(/too large/);
  });

  it('rejects values that are not strings or numbers', () => {
    expect(() => parseDuration(true as unknown as string)).toThrow(/string or a number/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [86_400_000 + 1, '1d1ms'],
  ])('formats %d as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});
