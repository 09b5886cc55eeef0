/**
 * Which decision events are worth a notification, and under which kind. Webhooks subscribe to kinds,
 * not to raw event types, so the timeline can grow new event types without paging anyone.
 */
import type { DecisionEvent, WebhookEventKind } from '@understudy/core';

/**
 * The engine says what a switch was in evidence.kind (record-eval.ts sets it on every answer-switched event,
 * and the notifier only hears the live engine output): going to a lower tier or to the all-down answer is a
 * failover, coming back up a failback.
 */
function switchKind(e: DecisionEvent): 'failover' | 'failback' {
  const k = e.evidence.kind;
  return k === 'failback' || k === 'recovered' ? 'failback' : 'failover';
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
