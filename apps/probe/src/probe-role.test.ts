import { afterEach, describe, expect, it } from 'vitest';
import { MemoryResultsBus } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { ResultBatch } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { ProbeRole } from './probe-role.js';

const { config } = parseConfig(`
regions: [a, b]
listen: { http: null }
checks:
  only-a: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 200ms, regions: [a] }
zones:
  - apex: example.test
    ns: [ns1.example.test]
`);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function start(bus: MemoryResultsBus, heartbeatInterval?: number) {
  const role = ProbeRole.start({
    config,
    regions: ['a', 'b'],
    bus,
    logger: recordingLogger(),
    clock: { now: () => Date.now() },
    random: { next: () => 0.5 },
    probeId: 'p1',
    configHash: 'cafe',
    ...(heartbeatInterval ? { heartbeatInterval } : {}),
  });
  cleanups.push(() => role.close());
  return role;
}

describe('ProbeRole', () => {
  it('a region without checks still sends heartbeats: empty batches with the config hash', async () => {
    const bus = new MemoryResultsBus({});
    cleanups.push(() => bus.close());
    const batches: ResultBatch[] = [];
    await bus.consume((b) => Promise.resolve(void batches.push(b)));
    start(bus, 100);
    await waitFor(() => batches.filter((b) => b.region === 'b').length >= 3, {
      timeoutMs: 5000,
      what: 'heartbeats',
    });
    const fromB = batches.filter((b) => b.region === 'b');
    expect(
      fromB.every((b) => b.results.length === 0 && b.configHash === 'cafe' && b.probeId === 'p1/b'),
    ).toBe(true);
    await waitFor(() => batches.some((b) => b.region === 'a' && b.results.length > 0), {
      timeoutMs: 5000,
      what: 'results from a',
    });
  });

  it('keeps checking while publishing fails, and publishes the latest result per check once it works', async () => {
    let failing = true;
    const got: ResultBatch[] = [];
    const bus = {
      publish: (b: ResultBatch) =>
        failing ? Promise.reject(new Error('redis down')) : Promise.resolve(void got.push(b)),
      consume: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const role = start(bus as unknown as MemoryResultsBus, 100);
    await waitFor(() => role.stats().a!.publishFailures >= 2, {
      timeoutMs: 10_000,
      what: 'failed publishes',
    });
    expect(role.stats().a!.pending).toBe(1);
    failing = false;
    await waitFor(() => got.some((b) => b.region === 'a' && b.results.length === 1), {
      timeoutMs: 10_000,
      what: 'recovery',
    });
  });

  it('refuses a region the config does not declare', () => {
    const bus = new MemoryResultsBus({});
    cleanups.push(() => bus.close());
    expect(() =>
      ProbeRole.start({
        config,
        regions: ['mars'],
        bus,
        logger: recordingLogger(),
        clock: { now: () => Date.now() },
        random: { next: () => 0.5 },
        probeId: 'p',
        configHash: 'x',
      }),
    ).toThrow(/mars/);
  });
});
