/**
 * Which decision events are worth a notification, and under which kind. Webhooks subscribe to kinds,
 * not to raw event types, so the timeline can grow new event types without paging anyone.
 */
import type { DecisionEvent, WebhookEventKind } from '@understudy/core';

/** Answer names in tier order, as the engine lists them in an answer-switched event's evidence. */
function tierNames(e: DecisionEvent): string[] {
  const answers = e.evidence.answers;
  if (!Array.isArray(answers)) return [];
  return answers.flatMap((a: unknown) =>
    typeof a === 'object' && a !== null && typeof (a as { name?: unknown }).name === 'string'
      ? [(a as { name: string }).name]
      : [],
  );
}

/**
 * The engine says what a switch was in evidence.kind. Without it (older events), tier order decides:
 * moving to a lower tier or off the configured answers (fallback, none) is a failover.
 */
function switchKind(e: DecisionEvent): 'failover' | 'failback' {
  const k = e.evidence.kind;
  if (k === 'failover' || k === 'all-down') return 'failover';
  if (k === 'failback' || k === 'recovered') return 'failback';
  const tiers = tierNames(e);
  const from = e.from === undefined ? -1 : tiers.indexOf(e.from);
  const to = e.to === undefined ? -1 : tiers.indexOf(e.to);
  if (to < 0) return 'failover';
  if (from < 0) return 'failback';
  return to > from ? 'failover' : 'failback';
}

/** A check went down and at least one down vote blames the certificate's expiry (minCertDays). */
function certExpiring(e: DecisionEvent): boolean {
  if (e.to !== 'down') return false;
  return (e.evidence.checks ?? []).some((c) =>
    c.votes.some((v) => v.state === 'down' && v.reason === 'cert-expiring'),
  );
}

/** The notification kind of an event, or null when no webhook should hear about it. */
export function eventKind(e: DecisionEvent): WebhookEventKind | null {
  switch (e.type) {
    case 'answer-switched':
      return switchKind(e);
    case 'all-down':
    case 'guard-hold':
    case 'region-stale':
    case 'sync-failed':
      return e.type;
    case 'verdict-changed':
      return certExpiring(e) ? 'cert-expiring' : null;
    default:
      return null;
  }
}

/**
 * Stable per event across retries, restarts and leader changes (seq is persisted), so a receiver can
 * drop duplicates: at-least-once delivery means it will see some.
 */
export function dedupeKey(e: DecisionEvent): string {
  const subject = e.record ?? e.check ?? e.target ?? e.region ?? 'global';
  return `${e.type}:${subject}:${e.seq}`;
}
