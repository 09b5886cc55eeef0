/**
 * Health per address (issue 14). A tier with addresses is up while at least minHealthy of them are
 * eligible, and serves its eligible addresses (config order, capped by the record's maxAnswers). The
 * whole healthy set is served, not a weighted choice per query: a resolver caches one answer for the TTL,
 * so a per-query choice weights resolvers, not clients (one large resolver would pin thousands of clients
 * to one address), it cannot be expressed as one provider RRset, and it would make every answer a change.
 * Weights pick which addresses survive the cap instead.
 */
import type { AnswerConfig, FailoverRecordConfig } from './config-types.js';
import type { CheckState } from './state-types.js';

export interface AddressHealth {
  value: string;
  eligible: boolean;
  confirmed: boolean;
}

/** One address's health from its check state (no check: always healthy). */
export function addressHealth(
  value: string,
  check: string | null,
  cs: CheckState | undefined,
): AddressHealth {
  if (check === null) return { value, eligible: true, confirmed: true };
  const verdict = cs?.verdict ?? 'unknown';
  if (verdict === 'down') return { value, eligible: false, confirmed: false };
  // An up verdict held only because too few regions are fresh is not evidence enough to move traffic to.
  return { value, eligible: true, confirmed: verdict === 'up' && !cs!.insufficient };
}

/** At most maxAnswers values: the heaviest (ties: config order), served in config order. */
export function capValues(
  rec: FailoverRecordConfig,
  answer: AnswerConfig,
  values: readonly string[],
): string[] {
  const cap = rec.maxAnswers ?? null;
  if (cap === null || values.length <= cap) return [...values];
  const weights = new Map((answer.addresses ?? []).map((a) => [a.value, a.weight]));
  const keep = new Set(
    values
      .map((v, i) => ({ v, i, w: weights.get(v) ?? 1 }))
      .sort((a, b) => b.w - a.w || a.i - b.i)
      .slice(0, cap)
      .map((x) => x.v),
  );
  return values.filter((v) => keep.has(v));
}

export interface TierHealth {
  eligible: boolean;
  confirmed: boolean;
  /** The values the tier serves now: its eligible addresses, capped. */
  values: string[];
  /** Some address is not eligible although the tier is up. */
  degraded: boolean;
}

/** A tier's health from its addresses' health. */
export function tierHealth(
  rec: FailoverRecordConfig,
  answer: AnswerConfig,
  addresses: readonly AddressHealth[],
): TierHealth {
  const min = answer.minHealthy ?? 1;
  const eligible = addresses.filter((a) => a.eligible);
  const confirmed = addresses.filter((a) => a.confirmed).length;
  return {
    eligible: eligible.length >= min,
    confirmed: confirmed >= min,
    values: capValues(
      rec,
      answer,
      eligible.map((a) => a.value),
    ),
    degraded: eligible.length < addresses.length,
  };
}
