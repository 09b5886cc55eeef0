/**
 * A failover record's `steering:` (issue 14 part 3): rules by client country or continent, each an order of
 * the record's answers and optionally the regions whose probes judge their health for it.
 */
import type {
  AnswerConfig,
  CheckConfig,
  ContinentCode,
  SteeringConfig,
  SteeringRule,
  ZoneConfig,
} from '@understudy/core';
import { didYouMean } from './problems.js';
import type { Path, Problems } from './problems.js';
import { isObj, list, obj } from './read.js';

export const CONTINENTS: readonly ContinentCode[] = ['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA'];
const TWO_LETTERS = /^[A-Za-z]{2}$/;

export interface SteeringContext {
  problems: Problems;
  /** The config's regions, for healthFrom. */
  regions: readonly string[];
}

/** Left out (undefined) when absent or null, so unsteered records keep their exact shape (and config hash). */
export function buildSteering(
  raw: unknown,
  answers: readonly AnswerConfig[],
  at: Path,
  ctx: SteeringContext,
): SteeringConfig | undefined {
  if (raw === undefined || raw === null || !isObj(raw)) return undefined;
  const rules: SteeringRule[] = [];
  // Where each location is first matched: a later rule listing it again never sees those clients.
  const firstSeen = new Map<string, number>();
  for (const [i, item] of list(raw.rules).entries()) {
    if (!isObj(item)) continue;
    const here = [...at, 'rules', i];
    const match = obj(item.match);
    const countries = codes(match.countries, [...here, 'match', 'countries'], ctx.problems, (c) =>
      TWO_LETTERS.test(c) ? null : 'is not a country code: two letters (ISO 3166-1 alpha-2), such as DE',
    );
    const continents = codes(match.continents, [...here, 'match', 'continents'], ctx.problems, (c) =>
      (CONTINENTS as readonly string[]).includes(c)
        ? null
        : `is not a continent code: one of ${CONTINENTS.join(', ')}`,
    ) as ContinentCode[];
    if (countries.length + continents.length === 0)
      ctx.problems.error(
        [...here, 'match'],
        'matches no client: list at least one country or continent (clients no rule matches get the record’s own answer)',
      );
    for (const code of [...countries, ...continents]) {
      const first = firstSeen.get(code);
      if (first === undefined) firstSeen.set(code, i);
      else
        ctx.problems.warn(
          [...here, 'match'],
          `${code} is already matched by rules[${first}], which wins: this rule never sees those clients`,
        );
    }
    rules.push({
      match: { countries, continents },
      order: order(item.order, answers, [...here, 'order'], ctx.problems),
      healthFrom: healthFrom(item.healthFrom, [...here, 'healthFrom'], ctx),
    });
  }
  return { rules };
}

/** Upper-cased codes, each reported (and dropped) when `problem` says so; duplicates dropped quietly. */
function codes(
  raw: unknown,
  at: Path,
  problems: Problems,
  problem: (code: string) => string | null,
): string[] {
  const out: string[] = [];
  for (const [i, item] of list(raw).entries()) {
    if (typeof item !== 'string') continue;
    const code = item.toUpperCase();
    const why = problem(code);
    if (why) problems.error([...at, i], `"${item}" ${why}`);
    else if (!out.includes(code)) out.push(code);
  }
  return out;
}

function order(raw: unknown, answers: readonly AnswerConfig[], at: Path, problems: Problems): string[] {
  const names = answers.map((a) => a.name);
  const out: string[] = [];
  for (const [i, item] of list(raw).entries()) {
    if (typeof item !== 'string') continue;
    if (!names.includes(item))
      problems.error(
        [...at, i],
        `"${item}" is not an answer of this record (answers: ${names.join(', ')})${didYouMean(item, names)}`,
      );
    else if (out.includes(item)) problems.error([...at, i], `"${item}" is listed twice`);
    else out.push(item);
  }
  return out;
}

function healthFrom(raw: unknown, at: Path, ctx: SteeringContext): string[] | null {
  if (!Array.isArray(raw)) return null;
  const out: string[] = [];
  for (const [i, item] of raw.entries()) {
    if (typeof item !== 'string') continue;
    if (!ctx.regions.includes(item))
      ctx.problems.error(
        [...at, i],
        `region "${item}" is not configured (regions: ${ctx.regions.join(', ')})${didYouMean(item, ctx.regions)}`,
      );
    else if (!out.includes(item)) out.push(item);
  }
  return out.length ? out : null;
}

/**
 * A rule whose `healthFrom` regions run none of the checks under its answers always falls back to the
 * global verdicts (steering.ts): legal, but surely not what was meant. Run once the checks (templates
 * expanded) are known. Paths assume the built zones line up with the written ones, which holds whenever
 * the config has no errors (the only time warnings are shown).
 */
export function warnHealthFromWithoutChecks(
  zones: readonly ZoneConfig[],
  checks: readonly CheckConfig[],
  problems: Problems,
): void {
  const byId = new Map(checks.map((c) => [c.id, c]));
  const regionsOf = (id: string, depth = 0): string[] => {
    const c = byId.get(id);
    if (!c || depth > 32) return [];
    return c.type === 'composite' ? c.children.flatMap((x) => regionsOf(x, depth + 1)) : c.regions;
  };
  zones.forEach((zone, zi) =>
    zone.failover.forEach((rec, fi) =>
      rec.steering?.rules.forEach((rule, ri) => {
        if (rule.healthFrom === null) return;
        const ids = rec.answers
          .filter((a) => rule.order.includes(a.name))
          .flatMap((a) => [a.check, ...(a.addresses ?? []).map((ad) => ad.check)])
          .filter((id): id is string => id !== null);
        if (!ids.length) return;
        const from = rule.healthFrom;
        if (ids.some((id) => regionsOf(id).some((r) => from.includes(r)))) return;
        problems.warn(
          ['zones', zi, 'failover', fi, 'steering', 'rules', ri, 'healthFrom'],
          `none of the checks of this rule's answers runs in ${from.join(', ')}: the rule always uses their global verdicts`,
        );
      }),
    ),
  );
}
