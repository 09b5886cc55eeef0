/**
 * DnsWorkerPool start-up (issue 11: start → first answer): workers forked before there is a zone wait for
 * one instead of listening empty, and they give their start-up heap back only once every worker answers,
 * one worker at a time.
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsWorkerPool } from '@understudy/dns-server';
import { dig } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, APP, overlay, overlayBase } from './overlay-base.js';

const dir = mkdtempSync(join(tmpdir(), 'us-pool-start-'));
const basePath = join(dir, 'base.json');
/** Every message between the pool and its workers, in order: `>` sent to a worker, `<` received. */
const log: { dir: '>' | '<'; worker: number; t: string; m: Record<string, unknown> }[] = [];
const onFork = (w: Worker): void => {
  const send = w.send.bind(w) as (m: unknown) => boolean;
  w.send = (m: unknown) => {
    const msg = m as Record<string, unknown>;
    log.push({ dir: '>', worker: w.id, t: String(msg.t), m: msg });
    return send(m);
  };
};
const onMessage = (w: Worker, m: unknown): void => {
  const msg = m as Record<string, unknown>;
  if (typeof msg?.t === 'string') log.push({ dir: '<', worker: w.id, t: msg.t, m: msg });
};
let pool: DnsWorkerPool;
let port: number;

beforeAll(async () => {
  writeFileSync(basePath, JSON.stringify(overlayBase()));
  // Before the pool forks: 'fork' is emitted inside cluster.fork(), so every send is seen.
  cluster.on('fork', onFork);
  cluster.on('message', onMessage);
  pool = new DnsWorkerPool({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: recordingLogger(),
    workers: 2,
    exec: join(import.meta.dirname, 'pool-worker.ts'),
    execArgv: ['--import', 'tsx'],
    baseSource: { basePath },
  });
  // Started before there is a zone, as DnsRole does to overlap the workers' start with its own base build.
  const started = pool.start();
  await waitFor(() => log.filter((e) => e.t === 'us:hello').length === 2, {
    timeoutMs: 30_000,
    what: 'both workers to say hello',
  });
  expect(pool.setBase(overlayBase(), overlay(10, { [APP]: ['198.51.100.10'] }))).toEqual({
    ok: true,
    serial: 10,
  });
  await started;
  port = pool.addresses().udp[0]!.port;
});
afterAll(async () => {
  await pool.close();
  cluster.off('fork', onFork);
  cluster.off('message', onMessage);
  rmSync(dir, { recursive: true, force: true });
});

describe('DnsWorkerPool start-up', () => {
  it('holds a worker forked before there is a zone until setBase: its init carries the base', async () => {
    const inits = log.filter((e) => e.t === 'us:init');
    expect(inits).toHaveLength(2);
    for (const init of inits) {
      const base = init.m.base as { source: unknown; overlay: { serial: number } } | undefined;
      expect(base?.source).toEqual({ basePath });
      expect(base?.overlay.serial).toBe(10);
    }
    // No worker was sent the base twice (init, then us:base).
    expect(log.filter((e) => e.t === 'us:base')).toHaveLength(0);
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => dig({ server: '127.0.0.1', port, name: `app.${APEX}` })),
    );
    expect(new Set(answers.flatMap((r) => r.answer.map((a) => a.data)))).toEqual(new Set(['198.51.100.10']));
  });

  it('asks the workers to settle their heap once every one listens, one worker at a time', async () => {
    await waitFor(() => log.filter((e) => e.t === 'us:settled').length === 2, {
      timeoutMs: 30_000,
      what: 'both workers to settle',
    });
    const at = (dir: '>' | '<', t: string) =>
      log.flatMap((e, i) => (e.dir === dir && e.t === t ? [{ i, worker: e.worker }] : []));
    const readies = at('<', 'us:ready');
    const asks = at('>', 'us:settle');
    const dones = at('<', 'us:settled');
    expect(readies).toHaveLength(2);
    expect(asks.map((a) => a.worker).sort()).toEqual(readies.map((r) => r.worker).sort());
    // The first answer never waits for a collection: both listen before the first is asked.
    expect(asks[0]!.i).toBeGreaterThan(Math.max(...readies.map((r) => r.i)));
    // The second is asked only once the first is done.
    expect(dones[0]!.worker).toBe(asks[0]!.worker);
    expect(asks[1]!.i).toBeGreaterThan(dones[0]!.i);
  });
});

describe('DnsWorkerPool started without a zone', () => {
  it('fails its start naming the missing zone instead of listening empty', async () => {
    const empty = new DnsWorkerPool({
      listen: [{ host: '127.0.0.1', port: 0 }],
      logger: recordingLogger(),
      workers: 1,
      exec: join(import.meta.dirname, 'pool-worker.ts'),
      execArgv: ['--import', 'tsx'],
      baseSource: { basePath },
      startTimeoutMs: 3_000,
    });
    // start() closes the pool when it fails.
    await expect(empty.start()).rejects.toThrow(/none was set \(setBase or setZoneState\)/);
  });
});
