/**
 * Issue 14 part 3, end to end in embedded mode: probe results through the bus flip one region's vote, the
 * decider moves the steering rule that takes its health from that region, and the overlay the DNS side
 * reads (the store's, and the deltas it is notified of, through the state file's journal) carries the rule's
 * values while the record's own answer stays.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { OverlayUpdate, ProbeResult } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { DeciderRole } from './decider-role.js';
import { probeResultMaker } from './test-support/probe-result.js';
import { TWO_TIER_YAML } from './test-support/two-tier-config.js';

const { config } = parseConfig(`${TWO_TIER_YAML}        steering:
          rules:
            - { match: { continents: [EU] }, order: [secondary, primary], healthFrom: [c] }
            - { match: { countries: [US] }, order: [primary, secondary] }
`);
const RECORD = 'app.example.test./A';
const P = ['192.0.2.10'];
const S = ['198.51.100.10'];

const result = probeResultMaker();

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('DeciderRole with steered records (issue 14 part 3)', () => {
  it('publishes per-rule values in the overlay and its deltas when one region flips a check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'understudy-steering-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const store = await MemoryStateStore.open({ file: join(dir, 'state.json') });
    const bus = new MemoryResultsBus({});
    const clock = { now: () => Date.now() };
    const lease = new MemoryLease({ store, clock, ttlMs: 30_000 });
    const role = await DeciderRole.start({ config, store, bus, lease, clock, logger: recordingLogger() });
    cleanups.push(
      () => store.close(),
      () => bus.close(),
      () => role.close(),
    );
    const seen: OverlayUpdate[] = [];
    store.subscribe((u) => seen.push(u));
    const send = async (region: string, results: ProbeResult[]) =>
      bus.publish({ probeId: `probe-${region}`, region, sentAt: Date.now(), results });
    const now = Date.now();
    for (const region of ['a', 'b', 'c'])
      await send(region, [result('p', region, true, now), result('s', region, true, now)]);
    const steered = async () => (await store.readOverlay())?.steered?.[RECORD];
    await waitFor(async () => JSON.stringify(await steered()) === JSON.stringify([S, P]), {
      timeoutMs: 5000,
      what: 'the rules judged on healthy checks',
    });
    // Region c alone sees s down: 1 of 3, the check stays up, but the rule judged by c moves to primary.
    await send('c', [result('s', 'c', false, now + 1)]);
    await waitFor(async () => JSON.stringify(await steered()) === JSON.stringify([P, P]), {
      timeoutMs: 5000,
      what: 'the rule moved in the stored overlay',
    });
    const overlay = (await store.readOverlay())!;
    expect(overlay.records[RECORD]).toEqual(P);
    expect(role.engine.state.checks.s!.verdict).toBe('up');
    await waitFor(
      () => seen.some((u) => u.kind === 'delta' && u.delta.steered?.[RECORD]?.[0]?.[0] === P[0]),
      {
        timeoutMs: 5000,
        what: 'the delta carrying the rule values',
      },
    );
    const delta = seen.findLast((u) => u.kind === 'delta')!;
    expect(delta.kind === 'delta' && delta.delta).toMatchObject({
      records: { [RECORD]: P },
      steered: { [RECORD]: [P, P] },
    });
    const events = await store.readEvents({ limit: 50 });
    expect(events.find((e) => e.type === 'steering-changed')).toMatchObject({
      record: RECORD,
      from: 'secondary',
      to: 'primary',
    });
    expect(role.status().records[0]!.steered).toEqual([
      { match: ['EU'], answer: 'primary', values: P },
      { match: ['US'], answer: 'primary', values: P },
    ]);
  });
});
