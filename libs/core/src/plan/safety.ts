/** Plan safety: the plans that need --force (house rule 3). */
import type { Plan, ProviderRecord } from '../provider-types.js';
import { recordKey } from './records.js';
import { summarizePlan } from './create-plan.js';

/**
 * The share rule only applies from this many owned records on: below it a single change is already a
 * large share, and a first sync (nothing owned yet) creates everything.
 */
export const MIN_OWNED_FOR_SHARE = 10;

export type SafetyViolationKind = 'too-much-change' | 'deletes-last-answer' | 'apex-ns-soa';

export interface SafetyViolation {
  kind: SafetyViolationKind;
  message: string;
}

export interface PlanSafety {
  safe: boolean;
  violations: SafetyViolation[];
}

export interface PlanSafetyOptions {
  /** Records the target holds with our marker now. */
  ownedCount: number;
  /** 0..1: a plan changing more than this share of the owned records is unsafe. */
  maxChangeShare: number;
  /**
   * Keys (`name/type`) of the records the config still wants answered (see failoverKeys). Deleting one
   * of them removes its last answer. Without this list every delete counts as removing a last answer.
   */
  protectedKeys?: readonly string[];
  /**
   * Per failover record key, the value sets of its configured answers (see failoverAnswerValues). An
   * update that only moves such a record to one of its answers, at the same TTL, is a failover decision:
   * a mass outage flips many records at once, and that must reach the targets without --force. It is
   * left out of the share rule (and still checked by the other rules).
   */
  decisions?: ReadonlyMap<string, readonly (readonly string[])[]>;
}

const valueSet = (values: readonly string[]): string =>
  values
    .map((v) => v.toLowerCase())
    .sort()
    .join('\n');

function isDecision(u: Plan['updates'][number], decisions: PlanSafetyOptions['decisions']): boolean {
  const answers = decisions?.get(recordKey(u.after));
  if (!answers || u.before.ttl !== u.after.ttl) return false;
  const after = valueSet(u.after.values);
  return answers.some((a) => valueSet(a) === after);
}

const describe = (r: ProviderRecord): string => `${r.name} ${r.type}`;

export function checkPlanSafety(plan: Plan, opts: PlanSafetyOptions): PlanSafety {
  const violations: SafetyViolation[] = [];
  const decided = plan.updates.filter((u) => isDecision(u, opts.decisions)).length;
  const changes = summarizePlan(plan).changes - decided;
  const share = changes / Math.max(1, opts.ownedCount);
  if (opts.ownedCount >= MIN_OWNED_FOR_SHARE && share > opts.maxChangeShare) {
    const besides = decided > 0 ? ` besides ${decided} failover decisions` : '';
    violations.push({
      kind: 'too-much-change',
      message: `${plan.target}: plan changes ${changes} of ${opts.ownedCount} owned records${besides} (${pct(share)} > ${pct(opts.maxChangeShare)})`,
    });
  }
  const protectedKeys = opts.protectedKeys ? new Set(opts.protectedKeys) : null;
  for (const d of plan.deletes) {
    if (protectedKeys === null || protectedKeys.has(recordKey(d))) {
      violations.push({
        kind: 'deletes-last-answer',
        message: `${plan.target}: plan deletes the last answer of ${describe(d)}`,
      });
    }
  }
  for (const u of plan.updates) {
    if (u.after.values.length === 0) {
      violations.push({
        kind: 'deletes-last-answer',
        message: `${plan.target}: plan leaves ${describe(u.after)} with no values`,
      });
    }
  }
  const apex = plan.zone.toLowerCase();
  const touched = [...plan.creates, ...plan.deletes, ...plan.updates.flatMap((u) => [u.before, u.after])];
  const apexKeys = new Set(
    touched
      .filter((r) => r.type === 'SOA' || (r.type === 'NS' && r.name.toLowerCase() === apex))
      .map(describe),
  );
  for (const what of [...apexKeys].sort()) {
    violations.push({ kind: 'apex-ns-soa', message: `${plan.target}: plan touches ${what}` });
  }
  return { safe: violations.length === 0, violations };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
