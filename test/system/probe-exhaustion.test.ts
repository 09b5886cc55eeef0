/**
 * Issue #10, end to end: an attacker exhausts the probes' file descriptors, so every check fails with a
 * real `EMFILE`. Those are probe-errors: they must not vote, and a healthy record must not fail over.
 * Real processes: redis-server, TLS origins, the CLI's probe (×3), decider and DNS server.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeciderState } from '@understudy/core';
import { waitFor } from '@understudy/testkit/wait';
import { Cluster, PRIMARY, REGIONS } from '../support/distributed.js';
import { writeFdHog } from '../support/fd-hog.js';

const INTERVAL = 1000;
let c: Cluster;

beforeAll(async () => {
  c = await Cluster.start({
    interval: `${INTERVAL}ms`,
    timeout: '500ms',
    fall: 2,
    rise: 2,
    failbackAfter: '2s',
    leaseTtl: '2000ms',
  });
  const env = { NODE_OPTIONS: `--import=${await writeFdHog(c.dir)}` };
  await Promise.all([
    c.dns('dns-1'),
    c.decider('decider-a'),
    ...REGIONS.map((r) => c.probe(r, undefined, undefined, env)),
  ]);
  await waitFor(() => c.leader(['decider-a']), { timeoutMs: 20_000, what: 'a leader' });
  await c.untilAnswer(['dns-1'], PRIMARY, 20_000);
});

afterAll(async () => {
  await c?.stop();
});

function lastOf(st: DeciderState | null, region: string) {
  return st?.checks.primary?.regions[region]?.last ?? null;
}

describe('probes out of file descriptors', () => {
  it('produce probe-errors that do not vote: the healthy record does not fail over', async () => {
    await waitFor(async () => (await c.store.loadDecider())?.checks.primary?.verdict === 'up', {
      timeoutMs: 20_000,
      what: 'primary up',
    });
    const seqBefore = (await c.events())[0]?.seq ?? 0;
    const hoggedAt = Date.now();
    for (const r of REGIONS) {
      const proc = c.get(`probe-${r}`).child.proc;
      // A modest table (the Redis sockets are already open), so filling it is cheap; then the hog fills it.
      await promisify(execFile)('prlimit', ['--pid', String(proc.pid), '--nofile=256:256']);
      proc.kill('SIGUSR2');
    }
    // Failed runs keep coming from every region for 4 intervals: twice what fall (2) needs to go down.
    const st = await waitFor(
      async () => {
        const s = await c.store.loadDecider();
        const long = REGIONS.every((r) => {
          const last = lastOf(s, r);
          return last?.ok === false && last.observedAt >= hoggedAt + 4 * INTERVAL;
        });
        return long ? s : null;
      },
      { timeoutMs: 30_000, what: 'failed runs from every region for 4 intervals' },
    );
    for (const r of REGIONS) {
      expect(lastOf(st, r)).toMatchObject({ reason: 'probe-error' });
      expect(lastOf(st, r)?.message).toMatch(/EMFILE|out of file descriptors/);
    }
    expect(st?.checks.primary?.verdict).toBe('up');
    const after = (await c.events()).filter((e) => e.seq > seqBefore);
    expect(after.filter((e) => e.type === 'verdict-changed' && e.to === 'down')).toEqual([]);
    expect(after.filter((e) => e.type === 'answer-switched')).toEqual([]);
    // The probes say why in their heartbeats: every region stopped voting with its own reason.
    const unhealthy = after.filter((e) => e.type === 'probe-unhealthy');
    expect(new Set(unhealthy.map((e) => e.region))).toEqual(new Set(REGIONS));
    expect(unhealthy[0]!.message).toMatch(/file descriptors/);
    expect(await c.answer('dns-1')).toEqual([PRIMARY]);
  });
});
