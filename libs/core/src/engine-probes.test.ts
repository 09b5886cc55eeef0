import { describe, expect, it } from 'vitest';
import { DecisionEngine } from './engine.js';
import { reconcileState } from './state-init.js';
import { batch, config, result } from './test-support/fixtures.js';

const T0 = 1_800_000_000_000;

function engine(configHash?: string) {
  return new DecisionEngine({ config: config(), now: T0, epoch: 1, ...(configHash ? { configHash } : {}) });
}

function probeBatch(probeId: string, region: string, configHash: string | undefined, at: number) {
  const b = batch(region, [result('primary', region, true, at)]);
  return { ...b, probeId, ...(configHash === undefined ? {} : { configHash }) };
}

describe('DecisionEngine: probes and their config hash', () => {
  it('tracks every probe by id with its region, last batch and hash', () => {
    const e = engine('aaaa');
    e.ingest(probeBatch('p1', 'us-east', 'aaaa', T0), T0 + 5);
    expect(e.state.probes).toEqual({
      p1: { region: 'us-east', lastSeenAt: T0 + 5, configHash: 'aaaa', mismatch: false },
    });
  });

  it('raises one probe-config-mismatch per probe and hash, and again when the hash changes', () => {
    const e = engine('aaaa');
    const first = e.ingest(probeBatch('p1', 'us-east', 'bbbb', T0), T0);
    const mismatch = first.events.filter((ev) => ev.type === 'probe-config-mismatch');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatchObject({ probe: 'p1', region: 'us-east', severity: 'warning' });
    expect(mismatch[0]!.evidence).toEqual({ probeConfigHash: 'bbbb', deciderConfigHash: 'aaaa' });
    const again = e.ingest(probeBatch('p1', 'us-east', 'bbbb', T0 + 1000), T0 + 1000);
    expect(again.events.filter((ev) => ev.type === 'probe-config-mismatch')).toHaveLength(0);
    const changed = e.ingest(probeBatch('p1', 'us-east', 'cccc', T0 + 2000), T0 + 2000);
    expect(changed.events.filter((ev) => ev.type === 'probe-config-mismatch')).toHaveLength(1);
    expect(e.state.probes!.p1!.mismatch).toBe(true);
    e.ingest(probeBatch('p1', 'us-east', 'aaaa', T0 + 3000), T0 + 3000);
    expect(e.state.probes!.p1!.mismatch).toBe(false);
  });

  it('compares nothing when the decider or the probe has no hash', () => {
    const noHash = engine();
    expect(noHash.ingest(probeBatch('p1', 'us-east', 'bbbb', T0), T0).events).toEqual([]);
    const e = engine('aaaa');
    expect(e.ingest(probeBatch('p2', 'us-east', undefined, T0), T0).events).toEqual([]);
    expect(e.state.probes!.p2!.configHash).toBeNull();
  });

  it('forgets probes of regions no longer configured, keeps the rest across a restart', () => {
    const e = engine('aaaa');
    e.ingest(probeBatch('p1', 'us-east', 'aaaa', T0), T0);
    const saved = e.snapshot();
    saved.probes!.gone = { region: 'mars', lastSeenAt: T0, configHash: null, mismatch: false };
    const next = reconcileState(config(), saved);
    expect(Object.keys(next.probes!)).toEqual(['p1']);
    delete saved.probes;
    expect(reconcileState(config(), saved).probes).toEqual({});
  });
});

describe('DecisionEngine.raise', () => {
  it('gives outside events the next sequence number and the time', () => {
    const e = engine();
    const seqBefore = e.state.eventSeq;
    const out = e.raise(
      { type: 'sync-failed', severity: 'warning', target: 'aws', message: 'Throttling', evidence: {} },
      T0 + 10,
    );
    expect(out.events).toEqual([
      {
        seq: seqBefore + 1,
        at: T0 + 10,
        type: 'sync-failed',
        severity: 'warning',
        target: 'aws',
        message: 'Throttling',
        evidence: {},
      },
    ]);
    expect(out.stateChanged).toBe(true);
    expect(out.delta).toBeNull();
    expect(e.state.eventSeq).toBe(seqBefore + 1);
  });
});
