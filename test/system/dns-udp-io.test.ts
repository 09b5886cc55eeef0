/**
 * dns.udpIo in the real `understudy dns` command (issue 11): each DNS worker says which UDP path serves
 * it, answers on it, and stops cleanly on SIGTERM; with the addon path forced somewhere bad, every
 * worker falls back to node:dgram, says why, and still answers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { expectedIo } from '../../libs/dns-server/src/test-support/udp-addon.js';
import { BENCH_APEX, benchConfigYaml } from '../bench/dns-zone.js';
import { understudy } from '../support/understudy.js';

let dir: string;
let app: Child | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-udp-io-'));
});
afterEach(async () => {
  await app?.stop();
  app = undefined;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(env: NodeJS.ProcessEnv = {}): Promise<number> {
  const port = await freePort('127.0.0.1', 'both');
  const config = join(dir, `udp-io-${port}.yaml`);
  await writeFile(config, benchConfigYaml(port, 2, 'batched').replace('level: warn', 'level: info'));
  app = understudy(['dns', '--config', config], { env });
  await waitFor(
    async () => {
      if (app!.proc.exitCode !== null) throw new Error(`understudy dns exited:\n${app!.output()}`);
      const r = await dig({ server: '127.0.0.1', port, name: `www.${BENCH_APEX}`, timeoutMs: 1000 });
      return r.answer.length > 0;
    },
    { timeoutMs: 60_000, what: 'the first DNS answer' },
  );
  return port;
}

/** The log lines naming the UDP path, one per worker and listen address. */
const pathLines = (out: string, path: RegExp): string[] =>
  out.split('\n').filter((l) => /dns: UDP served through/.test(l) && path.test(l));

describe('understudy dns with dns.udpIo batched', () => {
  it('serves each worker on the path it logs and exits 0 on SIGTERM', async () => {
    await start();
    const io = expectedIo('batched');
    await waitFor(() => pathLines(app!.output(), io === 'batched' ? /batched/ : /dgram/).length === 2, {
      timeoutMs: 10_000,
      what: `both workers to log the ${io} path`,
    });
    expect(await app!.stop()).toBe(0);
  });

  it('falls back to node:dgram in every worker when the addon path is bad', async () => {
    const bad = join(dir, 'nowhere', 'udp-batch.node');
    const port = await start({ UNDERSTUDY_UDP_ADDON: bad });
    await waitFor(() => pathLines(app!.output(), /node:dgram/).length === 2, {
      timeoutMs: 10_000,
      what: 'both workers to log the dgram fallback',
    });
    for (const l of pathLines(app!.output(), /node:dgram/)) expect(l).toContain(bad);
    const r = await dig({ server: '127.0.0.1', port, name: `www.${BENCH_APEX}` });
    expect(r.answer.length).toBeGreaterThan(0);
    expect(await app!.stop()).toBe(0);
  });
});
