import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { DrillReport } from '@understudy/drill';
import { testConfigYaml } from '../assemble/test-config.js';
import { drillCommand, formatDrillReport } from './drill.js';
import { CliExit } from './shared.js';

const report = (status: DrillReport['status'], extra: Partial<DrillReport> = {}): DrillReport => ({
  id: 'drill-1a2b3c4d',
  record: 'app.example.test./A',
  target: null,
  actor: { name: 'alice', reason: 'drill' },
  status,
  from: ['192.0.2.10'],
  to: ['198.51.100.10'],
  fromAnswer: 'primary',
  toAnswer: 'secondary',
  startedAt: 1000,
  overrideAt: 1000,
  restoreAt: 3000,
  finishedAt: status === 'running' ? null : 4000,
  targets: [{ target: 'dns', instance: '127.0.0.1:5353', servedNewAt: 1420, restoredAt: 3250 }],
  ...extra,
});

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A stand-in for the dashboard API's drill routes, over real HTTP. */
async function api(final: DrillReport): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  let polls = 0;
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''} ${body}`);
      res.setHeader('content-type', 'application/json');
      if (req.headers.authorization !== 'Bearer tok')
        return res.writeHead(401).end('{"error":"unauthorized","message":"token required"}');
      if (req.method === 'POST') return res.writeHead(202).end('{"id":"drill-1a2b3c4d"}');
      polls++;
      res.writeHead(200).end(JSON.stringify(polls < 2 ? report('running') : final));
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

function sink(): { out: Writable; text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { out, text: () => text };
}

describe('understudy drill', () => {
  it('starts a drill through the API, polls it, and prints the timings', async () => {
    const { url, seen } = await api(report('done'));
    const s = sink();
    await drillCommand(
      { url, token: 'tok', record: 'app.example.test', reason: 'q3 test', pollMs: 10 },
      s.out,
    );
    expect(seen[0]).toBe('POST /api/v1/drills Bearer tok {"record":"app.example.test","reason":"q3 test"}');
    expect(seen.slice(1).every((l) => l.startsWith('GET /api/v1/drills/drill-1a2b3c4d Bearer tok'))).toBe(
      true,
    );
    expect(s.text()).toContain('drill drill-1a2b3c4d on app.example.test./A: primary → secondary');
    expect(s.text()).toMatch(/dns\s+127\.0\.0\.1:5353\s+0\.42 s\s+0\.25 s/);
    expect(s.text()).toContain('status: done');
  });

  it('exits 1 with the reason when the drill failed, and prints JSON on request', async () => {
    const failed = report('failed', {
      targets: [
        { target: 'r53', servedNewAt: null, restoredAt: null, error: 'did not serve the drill answer' },
      ],
    });
    const { url } = await api(failed);
    const s = sink();
    const err = await drillCommand(
      { url, token: 'tok', record: 'app', target: 'r53', reason: 'x', json: true, pollMs: 10 },
      s.out,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CliExit);
    expect((err as CliExit).code).toBe(1);
    expect((JSON.parse(s.text()) as DrillReport).targets[0]!.error).toBe('did not serve the drill answer');
  });

  it('reports a refused token with the server message', async () => {
    const { url } = await api(report('done'));
    await expect(drillCommand({ url, token: 'bad', record: 'app', reason: 'x' }, sink().out)).rejects.toThrow(
      'drill: token required (HTTP 401)',
    );
  });

  it('formats missing timings as dashes', () => {
    const text = formatDrillReport(
      report('failed', { targets: [{ target: 'cf', servedNewAt: null, restoredAt: null }] }),
    );
    expect(text).toMatch(/cf\s+-\s+-\s+-/);
  });

  it('without --url or -c, finds the config as every command does ($UNDERSTUDY_CONFIG) and calls its dashboard', async () => {
    const { url, seen } = await api(report('done'));
    const dir = await mkdtemp(join(tmpdir(), 'understudy-drill-'));
    const saved = process.env.UNDERSTUDY_CONFIG;
    try {
      const file = join(dir, 'understudy.yaml');
      await writeFile(file, testConfigYaml({ dashboard: new URL(url).host }));
      process.env.UNDERSTUDY_CONFIG = file;
      const s = sink();
      await drillCommand({ token: 'tok', record: 'app', reason: 'x', pollMs: 10 }, s.out);
      expect(seen[0]).toMatch(/^POST \/api\/v1\/drills Bearer tok/);
      expect(s.text()).toContain('status: done');
    } finally {
      if (saved === undefined) delete process.env.UNDERSTUDY_CONFIG;
      else process.env.UNDERSTUDY_CONFIG = saved;
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with no config anywhere and no --url, names what it tried and offers --url (usage, exit 2)', async () => {
    const saved = process.env.UNDERSTUDY_CONFIG;
    delete process.env.UNDERSTUDY_CONFIG;
    try {
      const err = await drillCommand({ token: 'tok', record: 'app', reason: 'x' }, sink().out).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CliExit);
      expect((err as CliExit).code).toBe(2);
      expect((err as CliExit).message).toContain('no config file found; tried: -c/--config (not given)');
      expect((err as CliExit).message).toContain('or pass --url of the dashboard API');
    } finally {
      if (saved !== undefined) process.env.UNDERSTUDY_CONFIG = saved;
    }
  });
});
