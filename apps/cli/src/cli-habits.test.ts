/** Issue 13's operator habits, through the command line itself (in this process). */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from './program.js';

/** Runs the command line in this process; returns its exit code and what it wrote. */
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const write = (chunk: string | Uint8Array) => ((out += String(chunk)), true);
  vi.spyOn(process.stdout, 'write').mockImplementation(write);
  vi.spyOn(process.stderr, 'write').mockImplementation(write);
  process.exitCode = undefined;
  try {
    await main(['node', 'understudy', ...args]);
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, out };
}

const now = Date.now();
const STATUS = {
  serial: 7,
  epoch: 2,
  guard: { holding: false, since: null, released: false },
  regions: [{ region: 'r1', lastSeenAt: now, stale: false }],
  records: [
    {
      id: 'app.example.test./A',
      ttl: 60,
      active: 'primary',
      values: ['192.0.2.10'],
      allDown: false,
      tier: 0,
      switchedAt: now - 3000,
      publishedAt: {},
      effectiveBy: {},
      pendingFailback: null,
      damped: false,
      resumesAt: null,
      overrides: {},
    },
  ],
  checks: [],
  secondaries: [],
};

let server: http.Server;
let url: string;
const seen: { path?: string; auth?: string }[] = [];
beforeAll(async () => {
  // A running instance's public ops endpoint: /status needs no token.
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', auth: req.headers.authorization ?? '' });
    if (req.url === '/status')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(STATUS));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe('understudy status --url', () => {
  it('reads a running instance without a config file or a token, times with their zone', async () => {
    const r = await cli('status', '--url', url);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^as of \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ {2}serial 7 {2}epoch 2\n/);
    expect(r.out).toMatch(/app\.example\.test\.\/A\s+primary\s+192\.0\.2\.10\s+60s\s+\S+Z \(\d+s ago\)/);
    expect(r.out).toContain(`(from ${url})`);
    expect(seen.at(-1)).toEqual({ path: '/status', auth: '' });
  });

  it('--output json (and --json, its alias) prints the view with its source', async () => {
    for (const flag of [['--output', 'json'], ['-o', 'json'], ['--json']]) {
      const r = await cli('status', '--url', url, ...flag);
      expect(r.code, r.out).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ source: url, serial: 7, records: [{ active: 'primary' }] });
    }
    expect((await cli('status', '--url', url, '--output', 'yaml')).code).toBe(2);
  });

  it('an instance that does not answer: one line naming the URL, exit 1', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const missing = await cli('status', '--url', `http://127.0.0.1:${port}`);
    expect(missing.code).toBe(1);
    expect(missing.out.trim().split('\n')).toEqual([
      `understudy status: no answer from http://127.0.0.1:${port}/status (ECONNREFUSED)`,
    ]);
  });
});

describe('plan and sync exit 1 on usage errors (2 means "changes")', () => {
  it('an unknown option, a missing option value or an unknown command option', async () => {
    for (const args of [
      ['plan', '--traget', 'r53'],
      ['plan', '--target'],
      ['sync', '--once', '--bogus'],
      ['sync', '--plan'],
    ]) {
      const r = await cli(...args);
      expect(r.code, `${args.join(' ')}: ${r.out}`).toBe(1);
      expect(r.out).toMatch(/error: (unknown option|option .* argument missing)/);
    }
  });

  it('help still exits 0', async () => {
    expect((await cli('plan', '--help')).code).toBe(0);
  });
});
