import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openapiPath } from './openapi.js';
import { auth, startFixture, testConfig, type Fixture } from './test-support/fixture.js';

let f: Fixture | null = null;
afterEach(async () => {
  await f?.close();
  f = null;
});

interface Sse {
  event: string;
  data: unknown;
  /** Date.now() when it arrived. */
  at: number;
}

/**
 * Reads SSE messages from the stream until `until` says stop (or 10 s pass). `connected` settles once the
 * server has registered the client (its `: connected` comment arrived); `msgs` fills up as messages arrive.
 */
function readStream(url: string, until: (msgs: Sse[]) => boolean) {
  const msgs: Sse[] = [];
  let onConnected!: () => void;
  let onFailed!: (err: Error) => void;
  const connected = new Promise<void>((resolve, reject) => {
    onConnected = resolve;
    onFailed = reject;
  });
  const done = new Promise<Sse[]>((resolve, reject) => {
    let buf = '';
    const req = request(url, (res) => {
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let end: number;
        while ((end = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          if (/^: connected$/m.test(block)) onConnected();
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) msgs.push({ event, data: JSON.parse(data), at: Date.now() });
        }
        if (until(msgs)) {
          req.destroy();
          resolve(msgs);
        }
      });
      res.on('end', () => {
        onFailed(new Error('stream ended before it was connected'));
        resolve(msgs);
      });
    });
    req.on('error', (err) => {
      onFailed(err);
      if (msgs.length) resolve(msgs);
      else reject(err);
    });
    setTimeout(() => {
      req.destroy();
      onFailed(new Error('stream not connected within 10 s'));
      resolve(msgs);
    }, 10_000).unref();
    req.end();
  });
  // Whoever only awaits `done` must not see an unhandled rejection here.
  connected.catch(() => undefined);
  return { connected, msgs, done };
}

/** Resolves once `cond` holds, checking every 10 ms; fails after `ms`. */
async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('SSE stream', () => {
  it('delivers a change and the new timeline events after an override', async () => {
    f = await startFixture();
    const fx = f;
    const stream = readStream(
      `${fx.server.url}/api/v1/stream`,
      (m) => m.some((x) => x.event === 'timeline') && m.some((x) => x.event === 'change'),
    );
    await stream.connected;
    const res = await fx.post(
      '/api/v1/records/app.example.test/A/overrides',
      { answer: 'primary', mode: 'down', reason: 'sse' },
      auth(),
    );
    expect(res.status).toBe(200);
    const msgs = await stream.done;
    const timeline = msgs.find((m) => m.event === 'timeline')!.data as {
      type: string;
      actor?: { name: string };
    }[];
    expect(Array.isArray(timeline)).toBe(true);
    expect(timeline.find((e) => e.type === 'override-set')?.actor?.name).toBe('alice');
    const change = msgs.find((m) => m.event === 'change')!.data as { serial: number; eventSeq: number };
    expect(change.eventSeq).toBeGreaterThanOrEqual(
      Math.max(...timeline.map((e) => (e as unknown as { seq: number }).seq)),
    );
  });

  it('coalesces a burst of changes into a few messages', async () => {
    f = await startFixture(undefined, { streamGapMs: 500 });
    const fx = f;
    const before = fx.server.streamMessages();
    const seqBefore = (await fx.world.store.readEvents({ limit: 1 }))[0]!.seq;
    const started = Date.now();
    const stream = readStream(`${fx.server.url}/api/v1/stream`, () => false);
    await stream.connected;
    for (let i = 0; i < 20; i++) {
      const mode = i % 2 ? 'obey' : 'down';
      await fx.world
        .actions()
        .setOverride('app.example.test./A', 'primary', mode, { name: 't', reason: 'burst' });
      await fx.source.refresh();
    }
    const seqAfter = (await fx.world.store.readEvents({ limit: 1 }))[0]!.seq;
    const events = (): { seq: number }[] =>
      stream.msgs.filter((m) => m.event === 'timeline').flatMap((m) => m.data as { seq: number }[]);
    await waitFor(() => events().some((e) => e.seq === seqAfter), `event ${seqAfter} on the stream`);
    await fx.server.close();
    const msgs = await stream.done;
    // Every message counted below arrived between `started` and the last one.
    const elapsed = (msgs[msgs.length - 1]!.at - started) / 1000;
    // Every event of the burst arrives, in order, batched into arrays.
    expect(events().map((e) => e.seq)).toEqual(
      Array.from({ length: seqAfter - seqBefore }, (_, i) => seqBefore + 1 + i),
    );
    // The hub counts what the client got: SSE messages, not flushes.
    expect(fx.server.streamMessages() - before).toBe(msgs.length);
    // At most one flush per 500 ms (plus the leading one), and a flush is at most one timeline and one change
    // message: ≤ 4 messages/s.
    expect(msgs.length).toBeLessThanOrEqual(2 * (Math.ceil(elapsed / 0.5) + 1));
  });

  it('close() ends open streams instead of waiting for them', async () => {
    f = await startFixture();
    const fx = f;
    const stream = readStream(`${fx.server.url}/api/v1/stream`, () => false);
    await stream.connected;
    const t0 = Date.now();
    await fx.server.close();
    expect(Date.now() - t0).toBeLessThan(2_000);
    await stream.done;
  });
});

describe('OpenAPI document', () => {
  it('describes exactly the registered API routes', async () => {
    f = await startFixture();
    const doc = (await (await f.get('/api/v1/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security: unknown[] }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    const registered = f.server
      .routes()
      .map((r) => `${r.method} ${openapiPath(r.url)}`)
      .sort();
    expect(documented).toEqual(registered);
    // Every route of the contract is there.
    for (const route of [
      'GET /api/v1/status',
      'GET /api/v1/regions',
      'GET /api/v1/matrix',
      'GET /api/v1/checks',
      'GET /api/v1/checks/{id}',
      'GET /api/v1/records',
      'GET /api/v1/records/{name}/{type}',
      'GET /api/v1/targets',
      'GET /api/v1/events',
      'GET /api/v1/stream',
      'GET /api/v1/openapi.json',
      'POST /api/v1/records/{name}/{type}/overrides',
      'POST /api/v1/records/{name}/{type}/approve-failback',
      'POST /api/v1/guard/release',
      'POST /api/v1/targets/{name}/force',
      'POST /api/v1/drills',
      'GET /api/v1/drills/{id}',
      'GET /api/v1/drills',
    ])
      expect(registered).toContain(route);
    expect(doc.paths['/api/v1/guard/release']!.post!.security).toEqual([{ bearer: [] }]);
    expect(doc.paths['/api/v1/status']!.get!.responses['200']).toBeDefined();
  });
});

describe('read auth', () => {
  it('requires a token for API reads when dashboard.readAuth is on', async () => {
    f = await startFixture(testConfig({ dashboard: { readAuth: true } }));
    const none = await f.get('/api/v1/status');
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: string }).error).toBe('unauthorized');
    const bad = await f.get('/api/v1/records', auth('nope'));
    expect(bad.status).toBe(403);
    await bad.arrayBuffer();
    const ok = await f.get('/api/v1/status', auth());
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const page = await f.get('/');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('not built');
    const doc = (await (await f.get('/api/v1/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security: unknown[] }>>;
    };
    expect(doc.paths['/api/v1/status']!.get!.security).toEqual([{ bearer: [] }]);
  });
});
