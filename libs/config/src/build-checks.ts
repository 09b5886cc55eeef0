/** `checks:` → CheckConfig[], with defaults and the rules the schema cannot express. */
import type { CheckConfig } from '@understudy/core';
import { quorumAt } from './build-top.js';
import { checkCompositeCycles } from './build-composite.js';
import { CHECK_KINDS, ALL_CHECK_KEYS, SCHEDULE_KEYS } from './check-kinds.js';
import type { CheckContext, ProbedBase } from './check-kinds.js';
import { formatDuration } from './duration.js';
import { didYouMean } from './problems.js';
import type { Path } from './problems.js';
import { duration, int, isObj, list, obj } from './read.js';
import type { Obj } from './read.js';

export type { CheckContext } from './check-kinds.js';

const DAY_MS = 86_400_000;

export function buildChecks(raw: unknown, context: Omit<CheckContext, 'declared'>): CheckConfig[] {
  const ctx: CheckContext = { ...context, declared: new Set(Object.keys(obj(raw))) };
  const out: CheckConfig[] = [];
  for (const [id, value] of Object.entries(obj(raw))) {
    if (!isObj(value)) continue;
    // A bad id is reported by the schema; its body is still checked so every problem shows at once.
    const check = buildCheck(id, value, ['checks', id], ctx);
    if (check) out.push(check);
  }
  checkCompositeCycles(out, ctx.problems);
  return out;
}

function buildCheck(id: string, o: Obj, at: Path, ctx: CheckContext): CheckConfig | undefined {
  const { problems } = ctx;
  const type = o.type;
  if (typeof type !== 'string' || !Object.hasOwn(CHECK_KINDS, type)) return undefined;
  const kind = CHECK_KINDS[type as keyof typeof CHECK_KINDS];
  const own = new Set<string>(kind.keys);
  if (kind.probed) for (const key of SCHEDULE_KEYS) own.add(key);
  for (const key of ALL_CHECK_KEYS) {
    if (o[key] === undefined || own.has(key)) continue;
    problems.error(
      [...at, key],
      `does not apply to ${type} checks${notApplyingHint(type, key)}`,
      'semantic',
      true,
    );
  }
  if (!kind.probed) return kind.build(o, at, ctx, id);
  return kind.build(o, at, ctx, probedBase(id, o, at, ctx));
}

function notApplyingHint(type: string, key: string): string {
  if (type === 'composite') return ': a composite is not probed, its verdict follows its children';
  if (key === 'invert')
    return ': to invert a check, wrap it in { type: composite, children: [id], invert: true }';
  return '';
}

function probedBase(id: string, o: Obj, at: Path, ctx: CheckContext): ProbedBase {
  const { problems } = ctx;
  const interval = duration(o.interval, [...at, 'interval'], 10_000, problems, { min: 100, max: DAY_MS });
  // An explicit short interval should not fail on the default timeout: halve it instead.
  const defaultTimeout = interval > 2000 ? 2000 : Math.floor(interval / 2);
  const timeout = duration(o.timeout, [...at, 'timeout'], defaultTimeout, problems, { min: 1 });
  if (timeout >= interval)
    problems.error(
      [...at, 'timeout'],
      `must be shorter than interval (${formatDuration(timeout)} ≥ ${formatDuration(interval)})`,
    );
  return {
    id,
    timeout,
    interval,
    fall: int(o.fall, 1, 100) ?? 3,
    rise: int(o.rise, 1, 100) ?? 2,
    regions: checkRegions(o.regions, [...at, 'regions'], ctx),
    quorum: quorumAt(o.quorum, [...at, 'quorum'], ctx.quorum, problems),
  };
}

function checkRegions(raw: unknown, at: Path, ctx: CheckContext): string[] {
  if (raw === undefined) return [...ctx.regions];
  const out: string[] = [];
  for (const [i, r] of list(raw).entries()) {
    if (typeof r !== 'string') continue;
    if (!ctx.regions.includes(r))
      ctx.problems.error([...at, i], `region "${r}" is not declared in regions${didYouMean(r, ctx.regions)}`);
    else if (out.includes(r)) ctx.problems.error([...at, i], `duplicate region "${r}"`);
    else out.push(r);
  }
  return out.length > 0 ? out : [...ctx.regions];
}
