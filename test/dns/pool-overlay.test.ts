/** DnsWorkerPool with a base: workers load it themselves, then get only overlay deltas and acknowledge them. */
import cluster from 'node:cluster';
import type { Worker } from 'node:cluster';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DnsWorkerPool } from '@understudy/dns-server';
import type { ApplyInfo, PublishTrace } from '@understudy/dns-server';
import { dig } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import type { SetZoneStateResult } from '@understudy/dns-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APEX, APP, delta, overlay, overlayBase } from './overlay-base.js';

const dir = mkdtempSync(join(tmpdir(), 'us-pool-overlay-'));
const basePath = join(dir, 'base.json');
const logger = recordingLogger();
const serving: number[] = [];
/** onServing's agoMs per serial. */
const servedFor = new Map<number, number>();
const applied: ApplyInfo[] = [];
const traces: PublishTrace[] = [];
let pool: DnsWorkerPool;
let port: number;

beforeAll(async () => {
  writeFileSync(basePath, JSON.stringify(overlayBase()));
  pool = new DnsWorkerPool({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger,
    workers: 2,
    exec: join(import.meta.dirname, 'pool-worker.ts'),
    execArgv: ['--import', 'tsx'],
    baseSource: { basePath },
    onServing: (serial, agoMs) => {
      serving.push(serial);
      servedFor.set(serial, agoMs);
    },
    onApplied: (info) => applied.push(info),
    onPublished: (t) => traces.push(t),
  });
  expect(pool.setBase(overlayBase(), overlay(10, { [APP]: ['198.51.100.10'] }))).toEqual({
    ok: true,
    serial: 10,
  });
  await pool.start();
  port = pool.addresses().udp[0]!.port;
});
afterAll(async () => {
  await pool.close();
  rmSync(dir, { recursive: true, force: true });
});

const served = (serial: number): Promise<number> =>
  waitFor(() => serving.find((s) => s === serial), { timeoutMs: 15_000, what: `onServing(${serial})` });

/** Queries from fresh sockets, which reach either worker. */
const answersFromBoth = async (name: string): Promise<Set<string>> =>
  new Set(
    (await Promise.all(Array.from({ length: 8 }, () => dig({ server: '127.0.0.1', port, name })))).flatMap(
      (r) => r.answer.map((a) => a.data),
    ),
  );

const errorOf = (r: SetZoneStateResult): string => (r.ok ? 'accepted' : r.error);

describe('DnsWorkerPool with a base', () => {
  it('workers build the base from baseSource and serve the overlay sent at init', async () => {
    await served(10);
    expect(await answersFromBoth(`app.${APEX}`)).toEqual(new Set(['198.51.100.10']));
    expect(applied.filter((a) => a.kind === 'base' && a.serial === 10)).toHaveLength(2);
  });

  it('sends deltas, which both workers apply as deltas and acknowledge', async () => {
    // What the primary sends each worker, as JSON (the IPC channel's serialization).
    const sent: string[] = [];
    for (const w of Object.values(cluster.workers ?? {}) as Worker[]) {
      const send = w.send.bind(w) as (m: unknown) => boolean;
      w.send = (m: unknown) => (sent.push(JSON.stringify(m)), send(m));
    }
    expect(pool.applyUpdate(delta(10, 11, { [APP]: ['203.0.113.11'] }))).toEqual({ ok: true, serial: 11 });
    await served(11);
    expect(await answersFromBoth(`alias.${APEX}`)).toEqual(new Set([`app.${APEX}`, '203.0.113.11']));
    const mine = applied.filter((a) => a.serial === 11);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'delta', names: 1 }),
      expect.objectContaining({ kind: 'delta', names: 1 }),
    ]);
    expect(mine.every((a) => a.bodies < 20)).toBe(true);
    // Issue 11: where the publish went, per worker, once both serve it (dns_publish_stage_seconds).
    const trace = traces.find((t) => t.serial === 11)!;
    expect(trace.workers).toHaveLength(2);
    for (const w of trace.workers) {
      expect(w.slices).toBeGreaterThanOrEqual(1);
      // ipc spans two processes' clocks (wall time): only finite.
      expect(Number.isFinite(w.ipcMs)).toBe(true);
      for (const ms of [w.queueMs, w.planMs, w.encodeMs, w.pausedMs, w.commitMs, w.ackMs])
        expect(ms).toBeGreaterThanOrEqual(0);
    }
    expect(trace.servedAt).toBeGreaterThanOrEqual(trace.sentAt);
    expect(sent).toHaveLength(2);
    for (const m of sent) {
      expect(m).toContain('"t":"us:update"');
      expect(m.length).toBeLessThan(300);
    }
  });

  it('checks updates in the primary: a gap or a bad value is refused synchronously and never sent', async () => {
    const gap = pool.applyUpdate(delta(5, 12, { [APP]: ['203.0.113.12'] }));
    expect(errorOf(gap)).toMatch(/serving serial 11; send the full overlay/);
    const bad = pool.applyUpdate(delta(11, 12, { [APP]: ['nope'] }));
    expect(errorOf(bad)).toContain(APP);
    expect(pool.serial).toBe(11);
    expect(pool.applyUpdate({ kind: 'full', overlay: overlay(20) })).toEqual({ ok: true, serial: 20 });
    await served(20);
    // The full overlay has no entry for app: it serves its first answer again.
    expect(await answersFromBoth(`app.${APEX}`)).toEqual(new Set(['198.51.100.1']));
    expect(applied.filter((a) => a.serial === 20).map((a) => a.kind)).toEqual(['full', 'full']);
    expect(applied.some((a) => a.serial === 12)).toBe(false);
    expect(logger.messages('warn').filter((m) => /refused an overlay update/.test(m))).toEqual([]);
  });

  it('reloads the base in every worker on setBase (a new config), under the overlay given', async () => {
    const next = overlayBase();
    next.zones[0]!.rrsets.push({ name: `new.${APEX}`, type: 'A', ttl: 60, values: ['192.0.2.200'] });
    writeFileSync(basePath, JSON.stringify(next));
    expect(pool.setBase(next, overlay(30, { [APP]: ['203.0.113.30'] }))).toEqual({ ok: true, serial: 30 });
    await served(30);
    expect(await answersFromBoth(`new.${APEX}`)).toEqual(new Set(['192.0.2.200']));
    expect(await answersFromBoth(`app.${APEX}`)).toEqual(new Set(['203.0.113.30']));
    expect(pool.applyUpdate(delta(30, 31, { [APP]: ['203.0.113.31'] })).ok).toBe(true);
    await served(31);
    expect(await answersFromBoth(`alias.${APEX}`)).toEqual(new Set([`app.${APEX}`, '203.0.113.31']));
  });

  it('reports for how long every worker has served an update whose acknowledgements were handled late', async () => {
    const sent = performance.now();
    expect(pool.applyUpdate(delta(31, 32, { [APP]: ['203.0.113.32'] })).ok).toBe(true);
    // This process is busy meanwhile (as a decider ingesting a probe batch can be): the workers serve the
    // delta, and their acknowledgements wait in the IPC channel.
    const busy = Date.now() + 1_500;
    while (Date.now() < busy);
    await served(32);
    const waited = performance.now() - sent;
    // Served within the busy stretch (generous for a loaded machine), and never before it was sent.
    expect(servedFor.get(32)).toBeGreaterThan(300);
    expect(servedFor.get(32)).toBeLessThanOrEqual(waited);
  });
});
