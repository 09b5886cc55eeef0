import { describe, expect, it } from 'vitest';
import type { QuorumRule } from './config-types.js';
import { describeQuorum, requiredDownVotes } from './quorum.js';

const majority: QuorumRule = { kind: 'majority' };
const all: QuorumRule = { kind: 'all' };
const any: QuorumRule = { kind: 'any' };
const twoThirds: QuorumRule = { kind: 'fraction', numerator: 2, denominator: 3 };
const threeFifths: QuorumRule = { kind: 'fraction', numerator: 3, denominator: 5 };
const sixty: QuorumRule = { kind: 'percent', percent: 60 };
const twoThirdsPct: QuorumRule = { kind: 'percent', percent: 66.67 };

describe('requiredDownVotes', () => {
  it.each([
    [majority, 1, 1],
    [majority, 2, 2],
    [majority, 3, 2],
    [majority, 4, 3],
    [majority, 5, 3],
    [all, 1, 1],
    [all, 3, 3],
    [any, 3, 1],
    [any, 5, 1],
    [twoThirds, 3, 2],
    [twoThirds, 2, 2],
    [twoThirds, 1, 1],
    [twoThirds, 6, 4],
    [threeFifths, 5, 3],
    [threeFifths, 3, 2],
    [sixty, 5, 3],
    [sixty, 3, 2],
    [sixty, 1, 1],
    [twoThirdsPct, 3, 3],
    [majority, 0, 1],
  ] as const)('%o with %i voters needs %i', (rule, voters, expected) => {
    expect(requiredDownVotes(rule, voters)).toBe(expected);
  });

  it.each([
    [majority, 'majority'],
    [all, 'all'],
    [any, 'any'],
    [twoThirds, '2/3'],
    [sixty, '60%'],
  ] as const)('describes %o as %s', (rule, text) => {
    expect(describeQuorum(rule)).toBe(text);
  });
});
