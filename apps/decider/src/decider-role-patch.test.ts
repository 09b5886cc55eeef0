/**
 * The decider saves patches, not copies of its whole state: a save that fails keeps its changes for the
 * next one (nothing is lost), and a store with no decider state to patch gets the whole state at once.
 * Real MemoryStateStore and MemoryLease; faults are injected by wrapping them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import { MissingDeciderBaseError, type Commit, type StateStore } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';

const { config } = parseConfig(`
regions: [a, b, c]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 50ms }
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: 1, rise: 1 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: 1
        answers:
          - { name: primary, values: [192.0.2.10], check: p }
          - { name: secondary, values: [198.51.100.10] }
`);
const RECORD = 'app.example.test./A';

/** `commit` replaced by `hook`; everything else goes to the real store. */
function withCommit(inner: StateStore, hook: (c: Commit, epoch: number) => Promise<unknown>): StateStore {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'commit') return hook;
      const v: unknown = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(store: StateStore, memory: MemoryStateStore) {
  const bus = new MemoryResultsBus({});
  const lease = new MemoryLease({ store: memory, ttlMs: 60_000 });
  const role = await DeciderRole.start({ config, store, bus, lease, clock: Date, logger: recordingLogger() });
  cleanups.push(
    () => bus.close(),
    () => role.close(),
  );
  return { bus, role };
}

async function failPrimary(bus: MemoryResultsBus): Promise<void> {
  const now = Date.now();
  for (const region of ['a', 'b', 'c']) {
    await bus.publish({
      probeId: `probe-${region}`,
      region,
      sentAt: now,
      results: [
        {
          checkId: 'p',
          region,
          ok: false,
          probeId: `probe-${region}`,
          seq: 1,
          observedAt: now,
          timings: { total: 1 },
          reason: 'connect',
        },
      ],
    });
  }
}

describe('DeciderRole: decider state patches', () => {
  it('a failed commit keeps its changes: the next one stores them, so the stored state catches up', async () => {
    const memory = await MemoryStateStore.open();
    cleanups.push(() => memory.close());
    let failures = 0;
    const sent: Commit[] = [];
    const store = withCommit(memory, (c, epoch) => {
      sent.push(c);
      if (sent.length === 2) {
        failures++;
        return Promise.reject(new Error('redis: connection lost'));
      }
      return memory.commit(c, epoch);
    });
    const { bus, role } = await start(store, memory);
    expect(sent[0]!.decider.full).toBe(true);
    await failPrimary(bus);
    await waitFor(() => failures === 1 && sent.length >= 3, { timeoutMs: 5000, what: 'the retried commit' });
    // The switch was carried by the failed commit only; the retry must carry it again.
    expect(Object.keys(sent[1]!.decider.records)).toContain(RECORD);
    expect(sent[2]!.decider.full).toBe(false);
    expect(Object.keys(sent[2]!.decider.records)).toContain(RECORD);
    await waitFor(
      async () =>
        JSON.stringify((await memory.loadDecider())?.records[RECORD]) ===
        JSON.stringify(role.engine.state.records[RECORD]),
      { timeoutMs: 5000, what: 'the stored record to match the engine' },
    );
    expect((await memory.loadDecider())?.records[RECORD]?.active).toEqual({
      kind: 'answer',
      name: 'secondary',
    });
  });

  it('a store without a decider state to patch gets the whole state in the same commit', async () => {
    const memory = await MemoryStateStore.open();
    cleanups.push(() => memory.close());
    const sent: Commit[] = [];
    let wiped = false;
    const store = withCommit(memory, (c, epoch) => {
      sent.push(c);
      if (wiped && !c.decider.full) {
        wiped = false;
        return Promise.reject(new MissingDeciderBaseError('test store'));
      }
      return memory.commit(c, epoch);
    });
    const { bus, role } = await start(store, memory);
    wiped = true;
    await failPrimary(bus);
    await waitFor(() => sent.some((c, i) => i > 0 && c.decider.full), {
      timeoutMs: 5000,
      what: 'a full patch',
    });
    const full = sent.findIndex((c, i) => i > 0 && c.decider.full);
    // Refused, then the whole state straight away (not on a later tick).
    expect(sent[full - 1]!.decider.full).toBe(false);
    expect(sent[full]!.events).toBe(sent[full - 1]!.events);
    const secondary = JSON.stringify({ kind: 'answer', name: 'secondary' });
    await waitFor(
      async () => JSON.stringify((await memory.loadDecider())?.records[RECORD]?.active) === secondary,
      {
        timeoutMs: 5000,
        what: 'the stored switch',
      },
    );
    expect(role.ready).toBe(true);
  });
});
