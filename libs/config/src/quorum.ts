import { describeQuorum, type QuorumRule } from '@understudy/core';

export const QUORUM_PATTERN = '^(?:majority|all|any|\\d+/\\d+|\\d+(?:\\.\\d+)?%)$';

const FORMS = 'use majority, all, any, "N/M" (e.g. "2/3") or a percentage (e.g. "60%")';

/** "majority" | "all" | "any" | "N/M" | "P%" → QuorumRule. Throws with a readable message otherwise. */
export function parseQuorum(input: string): QuorumRule {
  if (typeof input !== 'string') throw new Error(`quorum must be a string; ${FORMS}`);
  const text = input.trim();
  if (text === 'majority' || text === 'all' || text === 'any') return { kind: text };
  const fraction = /^(\d+)\/(\d+)$/.exec(text);
  if (fraction) {
    const numerator = Number(fraction[1]);
    const denominator = Number(fraction[2]);
    if (denominator < 1) throw new Error(`quorum "${input}": M must be at least 1`);
    if (numerator < 1) throw new Error(`quorum "${input}": N must be at least 1`);
    if (numerator > denominator) throw new Error(`quorum "${input}": N must not exceed M`);
    return { kind: 'fraction', numerator, denominator };
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value <= 0 || value > 100) throw new Error(`quorum "${input}": the percentage must be in (0, 100]`);
    return { kind: 'percent', percent: value };
  }
  throw new Error(`"${input}" is not a quorum; ${FORMS}`);
}

/** The config spelling of a rule; the same text core uses in evidence. */
export const formatQuorum = (rule: QuorumRule): string => describeQuorum(rule);
