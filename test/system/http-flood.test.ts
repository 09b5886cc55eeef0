/**
 * Issue #10: no client of the dashboard or the ops endpoint can change a verdict. A real `understudy run`
 * (embedded) with 1,024 descriptors, healthy checks, and a bounded flood: 1,500 live streams from 30
 * loopback addresses plus 300 slow-header connections. Before the fix the descriptors ran out, the probes
 * failed with EMFILE, both checks were voted down and the record failed over.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localhostTls } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { systemConfig } from '../support/system-config.js';
import { CLI } from '../support/understudy.js';

const FD_LIMIT = 1024;
const STREAMS = 1_500;
const SOURCES = 30; // 127.0.0.2 … 127.0.0.31: the global caps are what is tested, not only the per-client ones
const SLOW_DASHBOARD = 100;
const SLOW_OPS = 200;
const HOLD_MS = 8_000; // several check intervals (1 s × fall 2)
/** Events that would mean a client changed a verdict or an answer. */
const VERDICT_EVENTS = new Set([
  'verdict-changed',
  'answer-switched',
  'all-down',
  'guard-hold',
  'quorum-insufficient',
  'region-stale',
  'failback-pending',
]);

let dir: string;
let app: Child | undefined;
let origins: Origin[] = [];
let dnsPort: number;
let opsPort: number;
let dashPort: number;
const flood: Socket[] = [];

const api = (path: string) =>
  fetch(`http://127.0.0.1:${dashPort}/api/v1${path}`, { signal: AbortSignal.timeout(3_000) });

async function appA(): Promise<string> {
  const r = await dig({
    server: '127.0.0.1',
    port: dnsPort,
    name: 'app.example.test',
    type: 'A',
    timeoutMs: 2000,
  });
  return r.answer.map((a) => a.data).join(',');
}

async function descriptors(pid: number): Promise<number> {
  return (await readdir(`/proc/${pid}/fd`)).length;
}

/** Opens one flood connection and sends `payload`; resolves once connected (or refused), never rejects. */
function open(port: number, source: string, payload: string): Promise<{ accepted: () => boolean }> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port, localAddress: source });
    flood.push(s);
    let data = '';
    s.on('data', (d: Buffer) => {
      if (data.length < 64) data += d.toString('latin1');
    });
    s.on('error', () => resolve({ accepted: () => false }));
    s.on('close', () => resolve({ accepted: () => false }));
    s.once('connect', () => {
      s.write(payload);
      resolve({ accepted: () => !s.destroyed && data.startsWith('HTTP/1.1 200') });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-flood-'));
  const { tls: cert, caFile } = await localhostTls(dir);
  origins = await Promise.all(
    ['primary', 'secondary', 'other'].map((name) => startOrigin({ name, tls: cert })),
  );
  dnsPort = await freePort('127.0.0.1', 'both');
  opsPort = await freePort('127.0.0.1', 'tcp');
  dashPort = await freePort('127.0.0.1', 'tcp');
  const yaml = systemConfig({
    dnsPort,
    httpPort: opsPort,
    stateFile: join(dir, 'state.json'),
    caFile,
    primaryUrl: origins[0]!.url,
    secondaryUrl: origins[1]!.url,
    expiringUrl: origins[2]!.url,
    interval: '1s',
    timeout: '500ms',
    fall: 2,
    rise: 2,
    failbackAfter: '4s',
  }).replace(
    `  http: "127.0.0.1:${opsPort}"\n`,
    `  http: "127.0.0.1:${opsPort}"\n  dashboard: "127.0.0.1:${dashPort}"\n`,
  );
  expect(yaml).toContain(`dashboard: "127.0.0.1:${dashPort}"`);
  const configFile = join(dir, 'understudy.yaml');
  await writeFile(configFile, yaml);
  // The instance of the issue: 1,024 descriptors (ulimit, then exec, so the limit is the process's own).
  app = spawnChild(
    'bash',
    ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, CLI, 'run', '--config', configFile],
    {
      env: { UNDERSTUDY_TEST_ADMIN_TOKEN: 'system-test-admin-token-42' },
    },
  );
  await waitFor(
    async () => {
      if ((await appA()) !== '192.0.2.10') return false;
      const checks = (await (await api('/checks')).json()) as { items: { verdict: string }[] };
      return checks.items.length === 3 && checks.items.every((c) => c.verdict === 'up');
    },
    { timeoutMs: 30_000, intervalMs: 250, what: 'understudy up with every check healthy' },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
  });
});

afterAll(async () => {
  for (const s of flood.splice(0)) s.destroy();
  await app?.stop();
  await Promise.all(origins.map((o) => o.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('HTTP flood against an embedded instance with 1,024 descriptors', () => {
  it('changes no verdict, keeps descriptors for the probes, and the API answers during and after', async () => {
    const pid = app!.proc.pid!;
    expect(await readFile(`/proc/${pid}/limits`, 'utf8')).toMatch(
      new RegExp(`Max open files\\s+${FD_LIMIT}\\s`),
    );
    const before = (await (await api('/status')).json()) as { eventSeq: number };

    // The flood, in batches so this test process stays responsive; it never reconnects (bounded).
    const streams: { accepted: () => boolean }[] = [];
    const request = 'GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n';
    for (let i = 0; i < STREAMS; i += 100) {
      const batch = Array.from({ length: Math.min(100, STREAMS - i) }, (_, j) =>
        open(dashPort, `127.0.0.${2 + ((i + j) % SOURCES)}`, request),
      );
      streams.push(...(await Promise.all(batch)));
    }
    const slow = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
    for (let i = 0; i < SLOW_DASHBOARD + SLOW_OPS; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, j) => {
          const n = i + j;
          return open(n < SLOW_DASHBOARD ? dashPort : opsPort, `127.0.0.${2 + (n % SOURCES)}`, slow);
        }),
      );
    }

    // During the flood: the decider keeps its descriptors and the API still answers a new client.
    const floodEnds = Date.now() + HOLD_MS;
    let maxFds = 0;
    let answeredDuring = false;
    while (Date.now() < floodEnds) {
      maxFds = Math.max(maxFds, await descriptors(pid));
      if (!answeredDuring)
        answeredDuring = await api('/status').then(
          (r) => r.ok,
          () => false,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
    const held = streams.filter((s) => s.accepted()).length;
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(50); // httpServers.maxStreams
    expect(maxFds).toBeLessThan(FD_LIMIT - 300);
    expect(answeredDuring).toBe(true);

    for (const s of flood.splice(0)) s.destroy();

    // After the flood: both servers answer, and nothing was decided because of it.
    await waitFor(async () => (await api('/status')).ok, { timeoutMs: 15_000, what: 'the API to answer' });
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${opsPort}/healthz`, { signal: AbortSignal.timeout(3000) })).ok,
      { timeoutMs: 15_000, what: 'the ops endpoint to answer' },
    );
    const events = (await (await api(`/events?limit=500`)).json()) as {
      items: { seq: number; type: string }[];
    };
    const decided = events.items.filter((e) => e.seq > before.eventSeq && VERDICT_EVENTS.has(e.type));
    expect(decided).toEqual([]);
    const checks = (await (await api('/checks')).json()) as { items: { id: string; verdict: string }[] };
    expect(checks.items.map((c) => [c.id, c.verdict])).toEqual(checks.items.map((c) => [c.id, 'up']));
    expect(await appA()).toBe('192.0.2.10');
    expect(app!.output()).not.toContain('EMFILE');
  });
});
