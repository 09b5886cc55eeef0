/**
 * Reload (issue 13): ProbeRole.applyConfig against real local TCP servers. The added check is probed and
 * published under the new config hash; the removed one stops connecting and publishing; the unchanged one
 * goes on.
 */
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryResultsBus } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import type { ResultBatch } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { ProbeRole } from './probe-role.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A TCP server that counts the connections it accepted. */
async function origin(): Promise<{ port: number; count: () => number }> {
  let n = 0;
  const server: Server = createServer((socket) => {
    n++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { port: (server.address() as { port: number }).port, count: () => n };
}

const config = (checks: string) =>
  parseConfig(`
regions: [a]
listen: { http: null }
checks:
${checks}
zones:
  - apex: example.test
    ns: [ns1.example.test]
`);

describe('ProbeRole.applyConfig', () => {
  it('probes an added check, stops a removed one, keeps the unchanged one', async () => {
    const [keep, gone, added] = [await origin(), await origin(), await origin()];
    const check = (id: string, port: number) =>
      `  ${id}: { type: tcp, host: 127.0.0.1, port: ${port}, interval: 200ms, timeout: 150ms }\n`;
    const before = config(check('keep', keep.port) + check('gone', gone.port));
    const after = config(check('keep', keep.port) + check('added', added.port));
    const bus = new MemoryResultsBus({});
    cleanups.push(() => bus.close());
    const batches: ResultBatch[] = [];
    await bus.consume((b) => Promise.resolve(void batches.push(b)));
    const role = ProbeRole.start({
      config: before.config,
      regions: ['a'],
      bus,
      logger: recordingLogger(),
      clock: { now: () => Date.now() },
      random: { next: () => 0.5 },
      probeId: 'p1',
      configHash: before.hash,
    });
    cleanups.push(() => role.close());
    await waitFor(() => keep.count() >= 1 && gone.count() >= 1, { timeoutMs: 10_000, what: 'both probed' });

    await role.applyConfig(after);
    expect(role.stats().a!.checks).toBe(2);
    await waitFor(() => added.count() >= 2, { timeoutMs: 10_000, what: 'the added check to be probed' });
    // Any connection of the removed check's last run has landed by now; from here on there must be none.
    const goneAfter = gone.count();
    const keepAfter = keep.count();
    await waitFor(() => added.count() >= 5, { timeoutMs: 10_000, what: 'more runs of the added check' });
    expect(gone.count()).toBe(goneAfter);
    expect(keep.count()).toBeGreaterThan(keepAfter);

    const newer = batches.filter((b) => b.configHash === after.hash);
    const results = newer.flatMap((b) => b.results);
    expect(results.some((r) => r.checkId === 'added' && r.ok)).toBe(true);
    expect(results.some((r) => r.checkId === 'keep' && r.ok)).toBe(true);
    expect(results.filter((r) => r.checkId === 'gone')).toEqual([]);
  });
});
