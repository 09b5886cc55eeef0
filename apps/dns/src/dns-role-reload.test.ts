/**
 * Reload (issue 13): DnsRole.applyConfig with two real DNS worker processes under a steady UDP query loop.
 * The new base is built by each worker from a new base file while the old one is served, then swapped:
 * no query fails or goes unanswered; afterwards the new record is answered, the changed TTL is seen,
 * the removed record is NXDOMAIN, an added zone is served and a removed one refused.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '@understudy/backends';
import { parseConfig } from '@understudy/config';
import { dig } from '@understudy/testkit/dig';
import { recordingLogger } from '@understudy/testkit/logger';
import { freePort } from '@understudy/testkit/ports';
import { waitFor } from '@understudy/testkit/wait';
import { DnsRole } from './dns-role.js';
import { queryLoop } from './test-support/query-loop.js';
import { workerConfigOf } from './worker.js';

const configText = (port: number, records: string, otherZone: string, workers: number) => `regions: [r1]
listen: { dns: ["127.0.0.1:${port}"] }
dns: { workers: ${workers} }
checks:
  primary: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
${records}
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.10], check: primary }
          - { name: secondary, values: [198.51.100.10] }
  - apex: ${otherZone}
    ns: [ns1.example.test]
    records:
      - { name: www, type: A, values: [203.0.113.80] }
`;

const before = (port: number, workers = 2) =>
  parseConfig(
    configText(
      port,
      `      - { name: old, type: A, values: [203.0.113.1] }
      - { name: www, type: A, ttl: 60, values: [203.0.113.2] }`,
      'gone.test',
      workers,
    ),
  );
const after = (port: number, workers = 2) =>
  parseConfig(
    configText(
      port,
      `      - { name: www, type: A, ttl: 120, values: [203.0.113.2] }
      - { name: new, type: A, values: [203.0.113.9] }`,
      'added.test',
      workers,
    ),
  );

let role: DnsRole | undefined;
afterEach(async () => {
  await role?.close();
  role = undefined;
});

describe('DnsRole.applyConfig', () => {
  // Two worker processes with a TypeScript loader start slowly on a loaded machine.
  it(
    'swaps the zones under steady load: no failed query, new answers after',
    { timeout: 60_000 },
    async () => {
      const port = await freePort('127.0.0.1', 'both');
      const loaded = before(port);
      const store = await MemoryStateStore.open();
      const logger = recordingLogger();
      const serving: number[] = [];
      role = await DnsRole.start({
        config: loaded.config,
        store,
        logger,
        clock: { now: () => Date.now() },
        instance: 'dns-reload-test',
        workerConfig: workerConfigOf(loaded),
        workerExec: join(import.meta.dirname, 'worker-main.ts'),
        workerExecArgv: ['--import', 'tsx'],
        publicationHeartbeat: 0,
        onServing: (o) => serving.push(o.serial),
      });
      const q = (name: string, type = 'A') => dig({ server: '127.0.0.1', port, name, type, timeoutMs: 3000 });
      expect((await q('old.example.test')).answer.map((a) => a.data)).toEqual(['203.0.113.1']);
      expect((await q('www.example.test')).answer[0]?.ttl).toBe(60);
      expect((await q('www.gone.test')).status).toBe('NOERROR');

      const loop = queryLoop({ port, name: 'app.example.test', count: 2_000, everyMs: 1 });
      // The swap lands mid-loop: after a couple of hundred queries, with many more still to come.
      await waitFor(() => loop.sent() >= 200, { timeoutMs: 15_000, what: '200 queries sent' });
      const servedBefore = serving.length;
      await role.applyConfig(after(port));
      await waitFor(() => serving.length > servedBefore, {
        timeoutMs: 15_000,
        what: 'both workers to serve the new base',
      });
      // The swap happened while queries were flowing, not before or after the loop.
      expect(loop.sent()).toBeGreaterThan(0);
      expect(loop.sent()).toBeLessThan(2_000);
      const report = await loop.done;
      expect(report).toMatchObject({ sent: 2_000, answered: 2_000, unanswered: 0, failed: [] });

      expect((await q('new.example.test')).answer.map((a) => a.data)).toEqual(['203.0.113.9']);
      // Fresh sockets reach either worker: every one must show the new TTL and the removal.
      for (let i = 0; i < 6; i++) {
        expect((await q('www.example.test')).answer[0]?.ttl).toBe(120);
        expect((await q('old.example.test')).status).toBe('NXDOMAIN');
        expect((await q('www.added.test')).answer.map((a) => a.data)).toEqual(['203.0.113.80']);
        expect((await q('www.gone.test')).status).toBe('REFUSED');
      }
      // The failover record still follows the overlay on top of the new base.
      expect((await q('app.example.test')).answer.map((a) => a.data)).toEqual(['192.0.2.10']);
      expect(logger.entries.some((e) => e.msg === 'dns: new config applied')).toBe(true);
      await store.close();
    },
  );

  it('leaves socket settings to a restart, with a warning naming them, and serves on', async () => {
    const port = await freePort('127.0.0.1', 'both');
    const loaded = before(port, 1);
    const store = await MemoryStateStore.open();
    const logger = recordingLogger();
    role = await DnsRole.start({
      config: loaded.config,
      store,
      logger,
      clock: { now: () => Date.now() },
      instance: 'dns-reload-test',
      publicationHeartbeat: 0,
    });
    await role.applyConfig(before(port + 1, 2));
    const warn = logger.entries.find((e) => e.msg === 'dns: these settings take effect at the next restart');
    expect(warn?.obj.settings).toEqual(['listen.dns', 'dns.workers']);
    const r = await dig({ server: '127.0.0.1', port, name: 'old.example.test', timeoutMs: 3000 });
    expect(r.answer.map((a) => a.data)).toEqual(['203.0.113.1']);
    // In-process (one worker) the base swaps too.
    await role.applyConfig(after(port, 1));
    const n = await dig({ server: '127.0.0.1', port, name: 'new.example.test', timeoutMs: 3000 });
    expect(n.answer.map((a) => a.data)).toEqual(['203.0.113.9']);
    await store.close();
  });
});
