import { describe, expect, it } from 'vitest';
import { nameLengthProblem } from './target-kind.js';

describe('nameLengthProblem (RFC 1035 §2.3.4)', () => {
  it('names a label over 63 octets, and a name over 253 octets in text', () => {
    expect(nameLengthProblem(`${'a'.repeat(64)}.test.`)).toBe(
      `label "${'a'.repeat(64)}" is 64 octets, over 63`,
    );
    expect(nameLengthProblem(`${'a'.repeat(63)}.test.`)).toBeNull();
    const long = Array.from({ length: 5 }, () => 'b'.repeat(50)).join('.');
    expect(nameLengthProblem(`${long}.`)).toBe('254 octets, over 253 (255 on the wire)');
    expect(nameLengthProblem(long.slice(1))).toBeNull();
  });

  it('counts octets, not characters', () => {
    expect(nameLengthProblem(`${'é'.repeat(32)}.test`)).toMatch(/64 octets, over 63/);
  });
});
