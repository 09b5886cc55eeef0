/**
 * What a DNS worker holds at a zone size, without the rest of the tree: builds a bench:scale config's
 * static base, reads it the way apps/dns's worker does (the primary's JSON base file → DnsServer.setBase),
 * collects garbage, and prints heap, external memory and RSS, and the build time.
 * Run: node --expose-gc --import tsx test/bench/worker-memory.ts [--size 110000] [--snapshot file]
 */
import { writeHeapSnapshot } from 'node:v8';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@understudy/config';
import { loadWorkerBase, writeWorkerBase } from '@understudy/dns';
import { DnsServer, zoneBaseFromConfig } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { configYaml, zoneOf } from './scale-config.js';

const { values: args } = parseArgs({
  options: { size: { type: 'string', default: '110000' }, snapshot: { type: 'string' } },
});
const size = Number(args.size);
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (x: number): string => (x / 2 ** 20).toFixed(1);
const mem = (label: string): void => {
  gc?.();
  const m = process.memoryUsage();
  console.log(
    `${label}: rss ${mb(m.rss)} MB · heap used ${mb(m.heapUsed)} / total ${mb(m.heapTotal)} MB · ` +
      `external ${mb(m.external)} MB (array buffers ${mb(m.arrayBuffers)})`,
  );
};

const dir = mkdtempSync(join(tmpdir(), 'understudy-worker-memory-'));
try {
  const file = join(dir, 'scale.yaml');
  writeFileSync(file, configYaml(zoneOf(size), 53, 8080, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], dir));
  mem('start');
  const server = new DnsServer({ listen: [], logger: recordingLogger() });
  // In a function, so the config and the base are garbage once it returns (as in a worker).
  await (async () => {
    let t = performance.now();
    const written = writeWorkerBase(zoneBaseFromConfig((await loadConfig(file)).config), dir);
    console.log(`primary: config + base file ${(performance.now() - t).toFixed(0)} ms`);
    mem('primary done');
    t = performance.now();
    const base = await loadWorkerBase(written.source);
    console.log(`worker: base file read ${(performance.now() - t).toFixed(0)} ms`);
    t = performance.now();
    const cpu = process.cpuUsage();
    const res = server.setBase(base, { serial: 1, epoch: 1, generatedAt: 0, records: {} });
    if (!res.ok) throw new Error(res.error);
    const { user, system } = process.cpuUsage(cpu);
    console.log(
      `setBase ${(performance.now() - t).toFixed(0)} ms (CPU ${((user + system) / 1000).toFixed(0)} ms)`,
    );
  })();
  mem(`${size} records served`);
  if (args.snapshot) writeHeapSnapshot(args.snapshot);
  await server.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
