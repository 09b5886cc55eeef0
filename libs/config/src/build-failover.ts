/** One `failover:` entry of a zone → FailoverRecordConfig. */
import { resolveOwner } from '@understudy/core';
import type { AnswerConfig, FailoverRecordConfig, FailoverRecordType, WhenAllDown } from '@understudy/core';
import { formatDuration } from './duration.js';
import { didYouMean } from './problems.js';
import type { Path, Problems } from './problems.js';
import { buildAddressTier } from './build-addresses.js';
import { buildSteering } from './build-steering.js';
import type { TemplateExpander } from './check-templates.js';
import { duration, int, isObj, list, obj, str } from './read.js';
import type { Obj } from './read.js';
import { canonicalList, collectValues } from './record-values.js';
import { ID_PATTERN } from './schema-defs.js';

const ID = new RegExp(ID_PATTERN);
const TIER_NAMES = ['primary', 'secondary', 'tertiary'];
const MODES = ['primary', 'last', 'none'] as const;
const FAILOVER_TYPES: readonly string[] = ['A', 'AAAA', 'CNAME'];
const DEFAULT_DAMPING = { maxFlips: 4, window: 15 * 60_000 };

export interface FailoverContext {
  problems: Problems;
  apex: string;
  zoneTtl: number;
  /** Every check id declared (even ones whose definition has problems), for reference checks. */
  checkIds: ReadonlySet<string>;
  /** Issue 14: check templates and their per-address expansions. */
  expander: TemplateExpander;
  /** Issue 14 part 3: the config's regions, for steering rules' healthFrom. */
  regions: readonly string[];
}

export const tierName = (i: number): string => TIER_NAMES[i] ?? `tier-${i + 1}`;

export function buildFailover(o: Obj, at: Path, ctx: FailoverContext): FailoverRecordConfig | undefined {
  const { problems } = ctx;
  const type = str(o.type);
  const owner = str(o.name);
  if (type === undefined || !FAILOVER_TYPES.includes(type) || owner === undefined) return undefined;
  const name = resolveOwner(owner, ctx.apex);
  if (!name.ok) {
    problems.error([...at, 'name'], name.error);
    return undefined;
  }
  const rtype = type as FailoverRecordType;
  const ttl = int(o.ttl, 0, 2_147_483_647) ?? ctx.zoneTtl;
  const answers = buildAnswers(o.answers, rtype, [...at, 'answers'], ctx);
  const fallbacks = buildFallbacks(o.fallbacks, rtype, answers, [...at, 'fallbacks'], problems);
  const failbackAfter = buildFailback(o.failbackAfter, ttl, [...at, 'failbackAfter'], problems);
  return {
    id: `${name.name}/${rtype}`,
    zone: ctx.apex,
    name: name.name,
    type: rtype,
    ttl,
    answers,
    whenAllDown: whenAllDown(o.whenAllDown, fallbacks, answers, [...at, 'whenAllDown'], problems),
    failbackAfter,
    flapDamping: flapDamping(o.flapDamping, [...at, 'flapDamping'], problems),
    ...perAddressOptions(o, ttl, at, problems),
    ...steeringOption(o.steering, answers, [...at, 'steering'], ctx),
  };
}

// --- issue 14 part 3: steering by client location ---
function steeringOption(
  raw: unknown,
  answers: readonly AnswerConfig[],
  at: Path,
  ctx: FailoverContext,
): Pick<FailoverRecordConfig, 'steering'> {
  const steering = buildSteering(raw, answers, at, ctx);
  return steering ? { steering } : {};
}
// --- end issue 14 part 3 ---

// --- issue 14: health per address (i14addr) ---
function perAddressOptions(
  o: Obj,
  ttl: number,
  at: Path,
  problems: Problems,
): Pick<FailoverRecordConfig, 'maxAnswers' | 'degradedTtl'> {
  const maxAnswers = int(o.maxAnswers, 1, 64) ?? null;
  const degradedTtl = int(o.degradedTtl, 0, 2_147_483_647) ?? null;
  if (degradedTtl !== null && degradedTtl >= ttl)
    problems.warn(
      [...at, 'degradedTtl'],
      `${degradedTtl}s is not shorter than the TTL (${ttl}s), so a degraded record drains no faster`,
    );
  // Left out when unset, so existing configs keep their exact shape (and config hash).
  return {
    ...(maxAnswers === null ? {} : { maxAnswers }),
    ...(degradedTtl === null ? {} : { degradedTtl }),
  };
}
// --- end issue 14 ---

function buildAnswers(
  raw: unknown,
  type: FailoverRecordType,
  at: Path,
  ctx: FailoverContext,
): AnswerConfig[] {
  const { problems } = ctx;
  const out: AnswerConfig[] = [];
  const seen = new Map<string, number>();
  for (const [i, item] of list(raw).entries()) {
    if (!isObj(item)) continue;
    const here = [...at, i];
    const name = str(item.name) ?? tierName(i);
    if (!ID.test(name)) continue;
    const first = seen.get(name);
    if (first !== undefined)
      problems.error([...here, 'name'], `duplicate answer name "${name}" (also answers[${first}])`);
    seen.set(name, first ?? i);
    const tier = buildAddressTier(item, type, here, ctx);
    if (tier) {
      out.push({
        name,
        values: tier.values,
        check: null,
        addresses: tier.addresses,
        minHealthy: tier.minHealthy,
      });
      continue;
    }
    const values = collectValues(item, type, here, problems) ?? [];
    const check = str(item.check) ?? null;
    if (check !== null && ctx.expander.templates.has(check))
      problems.error(
        [...here, 'check'],
        `check "${check}" is a template (${'{address}'}): list addresses and name it as checkTemplate`,
      );
    if (check !== null && !ctx.checkIds.has(check))
      problems.error([...here, 'check'], `check "${check}" is not defined${didYouMean(check, ctx.checkIds)}`);
    if (check === null && item.check === undefined)
      problems.warn(here, `answer "${name}" has no check, so it is always considered healthy`);
    out.push({ name, values, check });
  }
  return out.slice(); // exact length: kept for the life of the config
}

function buildFallbacks(
  raw: unknown,
  type: FailoverRecordType,
  answers: readonly AnswerConfig[],
  at: Path,
  problems: Problems,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, value] of Object.entries(obj(raw))) {
    if (!ID.test(name)) continue;
    const here = [...at, name];
    if ((MODES as readonly string[]).includes(name)) {
      problems.error(here, `"${name}" is a whenAllDown mode; pick another fallback name`, 'semantic', true);
      continue;
    }
    if (answers.some((a) => a.name === name))
      problems.error(
        here,
        `"${name}" is also an answer name; whenAllDown could not tell them apart`,
        'semantic',
        true,
      );
    const items: unknown[] = Array.isArray(value) ? value : [value];
    const pathOf = (i: number): Path => (Array.isArray(value) && i >= 0 ? [...here, i] : here);
    out.set(name, canonicalList(items, type, pathOf, problems));
  }
  return out;
}

function whenAllDown(
  raw: unknown,
  fallbacks: ReadonlyMap<string, string[]>,
  answers: readonly AnswerConfig[],
  at: Path,
  problems: Problems,
): WhenAllDown {
  const text = str(raw);
  if (text === undefined) return { mode: 'primary' };
  const mode = MODES.find((m) => m === text);
  if (mode) return { mode };
  const fallback = fallbacks.get(text);
  if (fallback) return { mode: 'fallback', name: text, values: fallback };
  // Naming an answer serves that answer's values when everything is down.
  const answer = answers.find((a) => a.name === text);
  if (answer) return { mode: 'fallback', name: text, values: answer.values };
  const known = [...MODES, ...fallbacks.keys(), ...answers.map((a) => a.name)];
  problems.error(
    at,
    `"${text}" is neither primary, last, none, nor a fallback or answer of this record${didYouMean(text, known)}`,
  );
  return { mode: 'primary' };
}

function buildFailback(raw: unknown, ttl: number, at: Path, problems: Problems): number | 'manual' {
  const ttlMs = ttl * 1000;
  if (raw === 'manual') return 'manual';
  const ms = duration(raw, at, Math.max(ttlMs, 60_000), problems);
  if (ms < ttlMs)
    problems.warn(
      at,
      `${formatDuration(ms)} is shorter than the TTL (${ttl}s): resolvers still cache the old answer, so a failback this early can flap clients`,
    );
  return ms;
}

function flapDamping(raw: unknown, at: Path, problems: Problems): FailoverRecordConfig['flapDamping'] {
  if (raw === false || raw === null) return null;
  if (!isObj(raw)) return { ...DEFAULT_DAMPING };
  return {
    maxFlips: int(raw.maxFlips, 1, 1000) ?? DEFAULT_DAMPING.maxFlips,
    window: duration(raw.window, [...at, 'window'], DEFAULT_DAMPING.window, problems, { min: 1000 }),
  };
}
