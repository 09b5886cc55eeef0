import type { QuorumRule } from './config-types.js';

/**
 * Down votes needed for a down verdict when `voters` fresh regions vote. Always within 1..voters
 * (for voters ≥ 1): with one voter left, that voter decides, which is why minVoters exists.
 */
export function requiredDownVotes(rule: QuorumRule, voters: number): number {
  if (voters <= 0) return 1;
  let n: number;
  switch (rule.kind) {
    case 'majority':
      n = Math.floor(voters / 2) + 1;
      break;
    case 'all':
      n = voters;
      break;
    case 'any':
      n = 1;
      break;
    case 'fraction':
      // Integer ceiling of voters × N / M, so "2/3" of 3 is exactly 2.
      n = Math.floor((voters * rule.numerator + rule.denominator - 1) / rule.denominator);
      break;
    case 'percent':
      n = Math.ceil((voters * rule.percent) / 100 - 1e-9);
      break;
  }
  return Math.min(voters, Math.max(1, n));
}

export function describeQuorum(rule: QuorumRule): string {
  switch (rule.kind) {
    case 'majority':
    case 'all':
    case 'any':
      return rule.kind;
    case 'fraction':
      return `${rule.numerator}/${rule.denominator}`;
    case 'percent':
      return `${rule.percent}%`;
  }
}
