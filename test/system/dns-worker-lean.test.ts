/**
 * A DNS worker loads only what it serves with (issue 11 §2: each idle worker ≤ 60 MB with a small zone).
 * `understudy run` (the built bundle) runs with a preload in every process of its tree that, on SIGUSR2,
 * writes the Node built-ins the process has loaded (process.moduleLoadList) and the files it has imported.
 * A worker answering queries must have loaded none of node:http, https, tls or worker_threads (dns2's index
 * loads the first three: 3 MB of RSS per worker; pino's transports the last), and none of its bundle's
 * files may hold pino, the provider SDKs, Fastify, BullMQ, ioredis or prom-client. The main process is
 * read the same way, and must show what the workers must not: the check of the probe itself.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { APEX, configYaml } from '../bench/scale-config.js';
import { childPids, killLeftovers } from '../support/proc-tree.js';
import { understudy, waitForApp } from '../support/understudy.js';

/** Built-ins a worker must not load. */
const HEAVY_BUILTINS = ['http', 'https', 'tls', '_http_client', '_http_server', 'worker_threads'];
/** esbuild marks each bundled module with a `// node_modules/<package>/…` line. */
const HEAVY_PACKAGES = [
  'pino',
  'thread-stream',
  '@aws-sdk',
  'cloudflare',
  'fastify',
  'bullmq',
  'ioredis',
  'prom-client',
];

// Runs in every process of the tree (NODE_OPTIONS --import): records imported files, dumps on SIGUSR2.
const PRELOAD = `
import { registerHooks } from 'node:module';
import { writeFileSync } from 'node:fs';
const files = new Set();
registerHooks({ load(url, context, next) { files.add(url); return next(url, context); } });
process.on('SIGUSR2', () => writeFileSync(process.env.LEAN_DUMP_DIR + '/' + process.pid + '.json',
  JSON.stringify({ builtins: process.moduleLoadList, files: [...files] })));
`;

interface Dump {
  builtins: string[];
  files: string[];
}

let dir: string;
let app: Child | undefined;
let workers: number[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-worker-lean-'));
});

afterAll(async () => {
  await app?.stop();
  killLeftovers(workers);
  await rm(dir, { recursive: true, force: true });
});

const builtinsOf = (d: Dump): string[] =>
  d.builtins.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice('NativeModule '.length));

/** The npm packages bundled into the files a process imported (from esbuild's per-module comments). */
function packagesOf(d: Dump): Set<string> {
  const found = new Set<string>();
  for (const url of d.files.filter((f) => f.startsWith('file:') && f.endsWith('.mjs'))) {
    const text = readFileSync(fileURLToPath(url), 'utf8');
    for (const m of text.matchAll(/^\/\/ node_modules\/((?:@[^/\n]+\/)?[^/\n]+)\//gm)) found.add(m[1]!);
  }
  return found;
}

async function dumpOf(pid: number): Promise<Dump> {
  process.kill(pid, 'SIGUSR2');
  const file = join(dir, `${pid}.json`);
  return waitForApp(
    app,
    () => {
      try {
        return JSON.parse(readFileSync(file, 'utf8')) as Dump;
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 10_000, what: `process ${pid}'s module list` },
  );
}

describe('DNS workers of understudy run', () => {
  it('answer without loading node:http, https, tls, worker_threads, pino or any SDK', async () => {
    const dnsPort = await freePort('127.0.0.1', 'both');
    const config = join(dir, 'understudy.yaml');
    await writeFile(
      config,
      configYaml({ statics: 10, failovers: 1 }, dnsPort, await freePort(), [await freePort()], dir),
    );
    const preload = join(dir, 'preload.mjs');
    await writeFile(preload, PRELOAD);
    app = understudy(['run', '--config', config], {
      env: { NODE_OPTIONS: `--import=${preload}`, LEAN_DUMP_DIR: dir },
    });
    await waitForApp(
      app,
      async () => {
        if (app!.proc.exitCode !== null) throw new Error('understudy run exited');
        const r = await dig({
          server: '127.0.0.1',
          port: dnsPort,
          name: `s0.${APEX}`,
          type: 'A',
          timeoutMs: 1000,
        });
        return r.answer.length > 0 || undefined;
      },
      { timeoutMs: 60_000, what: 'the first DNS answer' },
    );
    workers = childPids(app.proc.pid!);
    expect(workers).toHaveLength(2);

    const main = await dumpOf(app.proc.pid!);
    // The probe sees what is there: the main process serves HTTP and logs through pino.
    expect(builtinsOf(main)).toContain('http');
    expect([...packagesOf(main)]).toContain('pino');

    for (const pid of workers) {
      const worker = await dumpOf(pid);
      expect(worker.files.some((f) => f.endsWith('/dns-worker.mjs'))).toBe(true);
      expect(builtinsOf(worker)).toContain('dgram');
      expect(builtinsOf(worker).filter((m) => HEAVY_BUILTINS.includes(m))).toEqual([]);
      const packages = packagesOf(worker);
      expect(packages).toContain('dns2');
      expect(
        [...packages].filter((p) => HEAVY_PACKAGES.some((h) => p === h || p.startsWith(`${h}/`))),
      ).toEqual([]);
    }
  });
});
