/**
 * A stand-in for the dashboard server over a synthetic state (fixture-state.ts): serves the built UI and
 * the read routes of /api/v1 with paging and filters, an SSE stream, and token-checked overrides.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { DecisionEvent } from '@understudy/core';
import { fixtureChecks, fixtureEvent, fixtureRecord, REGIONS } from './fixture-state.js';

export interface FixtureServer {
  url: string;
  /** Pushes an event to the timeline stream and a change notice. */
  push(event: DecisionEvent): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function startFixtureServer(opts: {
  webDir: string;
  checks: number;
  token: string;
}): Promise<FixtureServer> {
  const now = Date.now();
  const checks = fixtureChecks(opts.checks, now);
  // Flap-damped: the record view says when failback resumes (issue 13).
  const record = { ...fixtureRecord(now, 'secondary'), damped: true, resumesAt: now + 10 * 60_000 };
  const events: DecisionEvent[] = [fixtureEvent(1, now - 5000)];
  const streams = new Set<ServerResponse>();
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const routes: Record<string, (u: URL) => unknown> = {
    '/api/v1/status': () => ({
      version: 'fixture',
      configHash: 'f1x7ure0hash',
      now: Date.now(),
      serial: 7,
      epoch: 1,
      zoneGeneratedAt: now,
      leader: { holder: 'fixture', epoch: 1 },
      counts: {
        checks: checks.length,
        up: 0,
        down: 0,
        unknown: 0,
        records: 1,
        regions: 3,
        staleRegions: 0,
        probes: 3,
        mismatchedProbes: 0,
      },
      guard: { holding: false, since: null, released: false },
      eventSeq: events.length,
    }),
    '/api/v1/matrix': () => ({
      regions: REGIONS,
      checks: checks.length,
      totals: Object.fromEntries(
        REGIONS.map((r, i) => {
          const t = { up: 0, down: 0, unknown: 0, stale: 0 };
          for (const c of checks) {
            const cell = c.regions[i]!;
            t[cell.stale ? 'stale' : cell.state]++;
          }
          return [r, t];
        }),
      ),
    }),
    '/api/v1/checks': (u) => {
      const offset = Number(u.searchParams.get('offset') ?? 0);
      const limit = Math.min(500, Number(u.searchParams.get('limit') ?? 100));
      const state = u.searchParams.get('state');
      const q = u.searchParams.get('q') ?? '';
      const match = checks.filter(
        (c) =>
          (!q || c.id.includes(q) || c.target.includes(q)) &&
          (!state || c.regions.some((r) => (state === 'stale' ? r.stale : !r.stale && r.state === state))),
      );
      return { total: match.length, offset, limit, items: match.slice(offset, offset + limit) };
    },
    '/api/v1/records': () => ({ items: [record] }),
    '/api/v1/events': () => ({ items: [...events].reverse(), nextBefore: null }),
    '/api/v1/regions': () => ({
      items: REGIONS.map((region) => ({
        region,
        stale: false,
        lastSeenAt: Date.now() - 1000,
        probes: [
          {
            probeId: `${region}-1`,
            lastSeenAt: Date.now() - 1000,
            configHash: 'f1x7ure0hash',
            mismatch: false,
            lagMs: 12,
          },
        ],
      })),
    }),
    '/api/v1/targets': () => ({ items: [{ target: 'builtin', type: 'builtin', status: null }] }),
  };
  const push = (event: DecisionEvent): void => {
    events.push(event);
    for (const s of streams) {
      s.write(`event: timeline\ndata: ${JSON.stringify([event])}\n\n`);
      s.write(
        `event: change\ndata: ${JSON.stringify({ serial: 7, eventSeq: event.seq, at: Date.now() })}\n\n`,
      );
    }
  };
  const mutate = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    const auth = req.headers.authorization;
    if (!auth)
      return json(res, 401, { error: 'unauthorized', message: 'missing Authorization: Bearer <token>' });
    if (auth !== `Bearer ${opts.token}`)
      return json(res, 403, { error: 'forbidden', message: 'unknown token' });
    const b = JSON.parse(body || '{}') as { answer?: string; mode?: 'up' | 'down' | 'obey'; reason?: string };
    if (!b.reason)
      return json(res, 400, { error: 'bad_request', message: 'reason: required (1..500 characters)' });
    const answer = record.answers.find((a) => a.name === b.answer);
    if (!answer || !b.mode)
      return json(res, 404, { error: 'not_found', message: `answer: unknown ${String(b.answer)}` });
    answer.override = b.mode;
    push(
      fixtureEvent(events.length + 1, Date.now(), {
        type: 'override-set',
        severity: 'warning',
        message: `override ${answer.name} → ${b.mode}`,
        actor: { name: 'fixture-admin', reason: b.reason },
        evidence: {},
      }),
    );
    json(res, 200, { record });
  };
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://fixture');
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.method === 'POST' && u.pathname.endsWith('/overrides')) return mutate(req, res, body);
      if (u.pathname === '/api/v1/stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.write(': hello\n\n');
        streams.add(res);
        req.on('close', () => streams.delete(res));
        return;
      }
      const route = routes[u.pathname];
      if (route) return json(res, 200, route(u));
      const file = u.pathname === '/' ? 'index.html' : u.pathname.slice(1);
      if (!/^[\w.-]+$/.test(file)) return json(res, 404, { error: 'not_found', message: u.pathname });
      readFile(join(opts.webDir, file)).then(
        (data) => {
          res.writeHead(200, {
            'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream',
          });
          res.end(data);
        },
        () => json(res, 404, { error: 'not_found', message: u.pathname }),
      );
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    push,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of streams) s.end();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
