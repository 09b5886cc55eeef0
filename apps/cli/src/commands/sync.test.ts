import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '@understudy/config';
import type { ApplyReport, DnsProvider, UnderstudyConfig } from '@understudy/core';
import type { SyncResult } from '@understudy/sync';
import { CliExit } from './shared.js';
import {
  CONTINUOUS_SYNC_HINT,
  answeringUrl,
  apiCalls,
  formatSync,
  instanceUrls,
  statusWrites,
  syncCommand,
  syncExitCode,
  type SyncLine,
} from './sync.js';

let dir: string;
const servers: http.Server[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-sync-'));
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await rm(dir, { recursive: true, force: true });
});

async function config(listen: string): Promise<UnderstudyConfig> {
  const file = join(dir, 'understudy.yaml');
  await writeFile(
    file,
    `regions: [r1]
listen: { dns: ["127.0.0.1:0"], ${listen} }
state: { file: ${join(dir, 'state.json')} }
checks: {}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - { name: app, type: A, answers: [{ name: primary, values: [192.0.2.10] }] }
`,
  );
  return (await loadConfig(file)).config;
}

/** An HTTP server on a free loopback port answering `status` to everything. */
async function server(status: number): Promise<number> {
  const s = http.createServer((_req, res) => res.writeHead(status).end());
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as { port: number }).port;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const port = await server(200);
  await new Promise((r) => servers.pop()!.close(r));
  return port;
}

const report = (over: Partial<ApplyReport> = {}): ApplyReport => ({
  target: 'r53',
  zone: 'example.test.',
  changes: [{ kind: 'update', name: 'app.example.test.', type: 'A', ok: true }],
  propagated: true,
  publishedAt: 1,
  apiCalls: 3,
  batches: 1,
  retries: 1,
  ...over,
});

function line(over: Partial<SyncLine> = {}): SyncLine {
  return {
    target: 'r53',
    serial: 9,
    plans: [],
    safety: { safe: true, violations: [] },
    warnings: [],
    outcome: 'in-sync',
    reports: [],
    drift: false,
    apiCalls: 2,
    ...over,
  };
}

const update = {
  target: 'r53',
  zone: 'example.test.',
  creates: [],
  updates: [
    {
      before: { name: 'app.example.test.', type: 'A' as const, ttl: 60, values: ['192.0.2.10'] },
      after: { name: 'app.example.test.', type: 'A' as const, ttl: 60, values: ['198.51.100.10'] },
    },
  ],
  deletes: [],
  conflicts: [],
};

describe('syncCommand', () => {
  it('without --once or --plan says that continuous sync runs in the decider, exit 1 as every usage error', async () => {
    const err = await syncCommand({ config: 'unused.yaml' }, new Writable()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliExit);
    expect((err as CliExit).code).toBe(1);
    expect((err as CliExit).message).toContain(CONTINUOUS_SYNC_HINT);
    expect(CONTINUOUS_SYNC_HINT).toMatch(/understudy run.*understudy decider.*sync --plan FILE/);
  });

  it('exits 0 with nothing to sync when no target is configured', async () => {
    await config('http: null');
    let text = '';
    const out = new Writable({
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString();
        cb();
      },
    });
    expect(await syncCommand({ config: join(dir, 'understudy.yaml'), once: true }, out)).toBe(0);
    expect(text).toContain('No provider targets are configured');
  });
});

describe('syncExitCode', () => {
  it('is 0 only when every target applied or was in sync', () => {
    expect(syncExitCode([])).toBe(0);
    expect(syncExitCode([line(), line({ target: 'cf', outcome: 'applied' })])).toBe(0);
    expect(syncExitCode([line(), line({ target: 'cf', outcome: 'refused' })])).toBe(1);
    expect(syncExitCode([line({ outcome: 'failed', error: 'x' })])).toBe(1);
  });
});

describe('formatSync', () => {
  it('prints each outcome, the changes, the API calls, and how to force a refused plan', () => {
    const text = formatSync(
      [
        line({ outcome: 'applied', plans: [update], reports: [report()], apiCalls: 5 }),
        line({ target: 'cf', apiCalls: 1 }),
        line({
          target: 'big',
          outcome: 'refused',
          plans: [update],
          safety: { safe: false, violations: [{ kind: 'too-much-change', message: 'big: too much' }] },
          error: 'big: too much',
        }),
        line({ target: 'bad', outcome: 'failed', error: 'route53 target "bad": hosted zone not found' }),
      ],
      'zone state serial 9 from /s.json',
      { save: false, why: 'an instance is running' },
    );
    expect(text).toContain('Sync of zone state serial 9 from /s.json.');
    expect(text).toContain('target r53: applied 1 change (5 API calls, 1 retry)');
    expect(text).toContain('    ~ app.example.test. A 60 192.0.2.10 → 60 198.51.100.10');
    expect(text).toContain('target cf: in sync (1 API call)');
    expect(text).toContain('target big: REFUSED: the plan is unsafe; nothing was changed');
    expect(text).toContain('  unsafe: big: too much');
    expect(text).toContain('understudy sync --once --force');
    expect(text).toContain('target bad: FAILED route53 target "bad": hosted zone not found');
    expect(text).toContain('Target statuses not saved to the state file: an instance is running.');
    expect(formatSync([], 'x', { save: true, file: '/s.json' })).toContain(
      'Target statuses saved to /s.json.',
    );
  });
});

describe('apiCalls', () => {
  it("takes the provider's own count (reads included) when it keeps one, else the applies'", () => {
    const counting = { stats: () => ({ apiCalls: 7 }) } as unknown as DnsProvider;
    const r = line({ reports: [report({ apiCalls: 3 }), report({ apiCalls: 2 })] });
    expect(apiCalls(r, counting)).toBe(7);
    expect(apiCalls(r, {} as DnsProvider)).toBe(5);
    expect(apiCalls(line() as SyncResult, undefined)).toBe(0);
  });
});

describe('running instance detection', () => {
  it('knows where the instance of a config would answer', async () => {
    const c = await config('http: "0.0.0.0:9053", dashboard: "[::1]:8080"');
    expect(instanceUrls(c)).toEqual(['http://127.0.0.1:9053/readyz', 'http://[::1]:8080/api/v1/status']);
    expect(instanceUrls(await config('http: null'))).toEqual([]);
  });

  it('takes any HTTP answer, even an error status, as a running instance', async () => {
    const up = await server(503);
    const down = await closedPort();
    const urls = [`http://127.0.0.1:${down}/readyz`, `http://127.0.0.1:${up}/readyz`];
    expect(await answeringUrl(urls)).toBe(urls[1]);
    expect(await answeringUrl([urls[0]!])).toBeNull();
  });

  it('writes statuses to the state file only when no instance can be running', async () => {
    const file = join(dir, 'state.json');
    expect(await statusWrites(await config('http: null'), null)).toMatchObject({ save: false });
    expect(await statusWrites(await config('http: null'), file)).toEqual({
      save: false,
      why: 'neither listen.http nor listen.dashboard is set, so a running instance cannot be ruled out',
    });
    const running = await server(200);
    const busy = await statusWrites(await config(`http: "127.0.0.1:${running}"`), file);
    expect(busy).toEqual({
      save: false,
      why: `an instance is running (http://127.0.0.1:${running}/readyz answered)`,
    });
    const free = await closedPort();
    expect(await statusWrites(await config(`http: "127.0.0.1:${free}"`), file)).toEqual({ save: true, file });
  });
});
