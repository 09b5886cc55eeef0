import { describe, expect, it } from 'vitest';
import { dedupeKey, eventKind } from './event-kinds.js';
import { simple, switched, verdictDown } from './test-support/events.js';

describe('eventKind', () => {
  it('classifies switches by the engine kind', () => {
    expect(eventKind(switched(1, 'primary', 'secondary', 'failover'))).toBe('failover');
    expect(eventKind(switched(2, 'secondary', 'sorry', 'all-down'))).toBe('failover');
    expect(eventKind(switched(3, 'secondary', 'primary', 'failback'))).toBe('failback');
    expect(eventKind(switched(4, 'sorry', 'secondary', 'recovered'))).toBe('failback');
  });

  it('maps the alerting event types and ignores the rest', () => {
    expect(eventKind(simple(1, 'all-down'))).toBe('all-down');
    expect(eventKind(simple(2, 'guard-hold'))).toBe('guard-hold');
    expect(eventKind(simple(3, 'region-stale', { region: 'eu-west' }))).toBe('region-stale');
    expect(eventKind(simple(4, 'sync-failed', { target: 'r53' }))).toBe('sync-failed');
    for (const t of ['published', 'region-fresh', 'override-set', 'all-down-cleared'] as const)
      expect(eventKind(simple(9, t))).toBeNull();
  });

  it('reports cert-expiring only for a check going down on expiring certificates', () => {
    expect(eventKind(verdictDown(1, 'cert-expiring'))).toBe('cert-expiring');
    expect(eventKind(verdictDown(2, 'timeout'))).toBeNull();
    expect(eventKind({ ...verdictDown(3, 'cert-expiring'), to: 'up' })).toBeNull();
  });
});

describe('dedupeKey', () => {
  it('is type, subject and sequence number', () => {
    expect(dedupeKey(switched(41, 'primary', 'secondary', 'failover'))).toBe(
      'answer-switched:app.example.test./A:41',
    );
    expect(dedupeKey(verdictDown(42, 'cert-expiring'))).toBe('verdict-changed:shop:42');
    expect(dedupeKey(simple(43, 'sync-failed', { target: 'r53' }))).toBe('sync-failed:r53:43');
    expect(dedupeKey(simple(44, 'region-stale', { region: 'eu-west' }))).toBe('region-stale:eu-west:44');
    expect(dedupeKey(simple(45, 'guard-hold'))).toBe('guard-hold:global:45');
  });
});
