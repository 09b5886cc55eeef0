import { describe, expect, it } from 'vitest';
import { markerName, markerValue, parseMarker } from './marker.js';

describe('ownership markers', () => {
  it('round-trips name, type and owner, wildcards included', () => {
    for (const [name, type] of [
      ['app.example.com.', 'A'],
      ['example.com.', 'AAAA'],
      ['*.example.com.', 'CNAME'],
    ] as const) {
      const m = parseMarker(markerName(name, type), [markerValue('blue-team', type)]);
      expect(m).toEqual({ name, type, owner: 'blue-team' });
    }
    expect(markerName('*.example.com.', 'A')).toBe('_understudy-a-wildcard.example.com.');
    expect(markerValue('o', 'A')).toBe('"understudy:owner=o;type=A"');
  });

  it('rejects look-alikes: wrong name, type mismatch, several values, unquoted', () => {
    expect(parseMarker('app.example.com.', [markerValue('o', 'A')])).toBeNull();
    expect(parseMarker(markerName('app.example.com.', 'A'), [markerValue('o', 'AAAA')])).toBeNull();
    expect(parseMarker(markerName('app.example.com.', 'A'), [markerValue('o', 'A'), '"x"'])).toBeNull();
    expect(parseMarker(markerName('app.example.com.', 'A'), ['understudy:owner=o;type=A'])).toBeNull();
    expect(parseMarker(markerName('app.example.com.', 'A'), ['"heritage=other"'])).toBeNull();
  });
});
