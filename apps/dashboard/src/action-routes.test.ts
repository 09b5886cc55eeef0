import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auth, startFixture, testConfig, type Fixture } from './test-support/fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(() => f.close());

const OVERRIDE = '/api/v1/records/app.example.test/A/overrides';
const body = { answer: 'primary', mode: 'down', reason: 'maintenance window' };

async function expectError(res: Response, status: number, error: string, message: string | RegExp) {
  const b = (await res.json()) as { error: string; message: string };
  expect(res.status, JSON.stringify(b)).toBe(status);
  expect(b.error).toBe(error);
  if (typeof message === 'string') expect(b.message).toBe(message);
  else expect(b.message).toMatch(message);
}

describe('mutations', () => {
  it('refuse a request without, with a malformed and with an unknown token', async () => {
    const none = await f.post(OVERRIDE, body);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    await expectError(none, 401, 'unauthorized', /missing bearer token/);
    await expectError(
      await f.post(OVERRIDE, body, { authorization: 'Basic abc' }),
      401,
      'unauthorized',
      /bearer/,
    );
    await expectError(await f.post(OVERRIDE, body, auth('wrong')), 403, 'forbidden', 'token not accepted');
    const events = await f.world.store.readEvents({ limit: 100 });
    expect(events.some((e) => e.type === 'override-set')).toBe(false);
  });

  it('an override with a token is applied and audited with the token name and reason', async () => {
    const res = await f.post(OVERRIDE, body, auth());
    const out = (await res.json()) as {
      record: { active: { name: string }; answers: { name: string; override: string }[] };
    };
    expect(res.status, JSON.stringify(out)).toBe(200);
    expect(out.record.active.name).toBe('secondary');
    expect(out.record.answers[0]).toMatchObject({ name: 'primary', override: 'down' });
    const events = (await (await f.get('/api/v1/events?type=override-set')).json()) as {
      items: { actor: { name: string; reason: string } }[];
    };
    expect(events.items[0]!.actor).toEqual({ name: 'alice', reason: 'maintenance window' });
  });

  it('bad input gets a 4xx that names the field', async () => {
    const { reason: _r, ...noReason } = body;
    await expectError(
      await f.post(OVERRIDE, noReason, auth()),
      400,
      'bad_request',
      'body.reason is required',
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, reason: '   ' }, auth()),
      400,
      'bad_request',
      'body.reason must not be blank',
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, reason: 'x'.repeat(501) }, auth()),
      400,
      'bad_request',
      'body.reason must be at most 500 characters',
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, mode: 'sideways' }, auth()),
      400,
      'bad_request',
      'body.mode must be one of: up, down, obey',
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, extra: 1 }, auth()),
      400,
      'bad_request',
      'body has an unknown field "extra"',
    );
    await expectError(
      await f.post(OVERRIDE, '{"answer":', auth()),
      400,
      'bad_request',
      /^body is not valid JSON/,
    );
    await expectError(await f.post(OVERRIDE, '[]', auth()), 400, 'bad_request', 'body must be a JSON object');
    await expectError(
      await f.post('/api/v1/records/nope.example.test/A/overrides', body, auth()),
      404,
      'not_found',
      'no failover record "nope.example.test./A"',
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, answer: 'tertiary' }, auth()),
      404,
      'not_found',
      /has no answer "tertiary"/,
    );
    await expectError(
      await f.post(OVERRIDE, { ...body, reason: 'x'.repeat(20_000) }, auth()),
      413,
      'bad_request',
      /too large/,
    );
    const text = await fetch(`${f.server.url}${OVERRIDE}`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...auth() },
      body: 'hello',
    });
    await expectError(text, 415, 'bad_request', /Content-Type: application\/json/);
  });

  it('approve-failback and guard release answer 409 when there is nothing to act on', async () => {
    await expectError(
      await f.post('/api/v1/records/app.example.test/A/approve-failback', { reason: 'ok' }, auth()),
      409,
      'conflict',
      /no pending failback/,
    );
    await expectError(
      await f.post('/api/v1/guard/release', { reason: 'ok' }, auth()),
      409,
      'conflict',
      /not holding/,
    );
  });

  it('approve-failback succeeds when a manual failback is pending', async () => {
    await f.close();
    const cfg = testConfig();
    cfg.zones[0]!.failover[0]!.failbackAfter = 'manual';
    f = await startFixture(cfg);
    await f.world.rounds(3, { primary: '---', secondary: '+++' });
    await f.world.rounds(3, { primary: '+++', secondary: '+++' });
    const res = await f.post(
      '/api/v1/records/app.example.test/A/approve-failback',
      { reason: 'primary is back' },
      auth(),
    );
    const out = (await res.json()) as { record: { active: { name: string } } };
    expect(res.status, JSON.stringify(out)).toBe(200);
    expect(out.record.active.name).toBe('primary');
  });

  it('force applies a plan to a known target and 404s an unknown one', async () => {
    const res = await f.post('/api/v1/targets/dns/force', { reason: 'drift' }, auth());
    expect(res.status).toBe(200);
    expect(((await res.json()) as { results: { target: string }[] }).results[0]!.target).toBe('dns');
    expect(f.world.forced).toEqual([{ target: 'dns', actor: { name: 'alice', reason: 'drift' } }]);
    await expectError(
      await f.post('/api/v1/targets/nope/force', { reason: 'x' }, auth()),
      404,
      'not_found',
      'no target "nope"',
    );
  });

  it('drills start with 202 and are listed and readable', async () => {
    const res = await f.post(
      '/api/v1/drills',
      { record: 'app.example.test', reason: 'quarterly drill' },
      auth(),
    );
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const one = (await (await f.get(`/api/v1/drills/${id}`)).json()) as {
      record: string;
      actor: { name: string };
    };
    expect(one).toMatchObject({ record: 'app.example.test./A', actor: { name: 'alice' }, status: 'running' });
    const list = (await (await f.get('/api/v1/drills')).json()) as { items: { id: string }[] };
    expect(list.items.map((d) => d.id)).toEqual([id]);
    await expectError(await f.get('/api/v1/drills/none'), 404, 'not_found', 'no drill "none"');
    await expectError(
      await f.post('/api/v1/drills', { record: 'nope', reason: 'x' }, auth()),
      404,
      'not_found',
      /body\.record/,
    );
    await expectError(
      await f.post('/api/v1/drills', { record: 'app.example.test', reason: 'x' }),
      401,
      'unauthorized',
      /bearer/,
    );
  });

  it('throttles wrong tokens after repeated failures, but the right token still works (and failures are logged)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await f.post(OVERRIDE, body, auth(`bad-${i}`));
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 403)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    await expectError(
      await f.post(OVERRIDE, body, auth('bad-x')),
      429,
      'rate_limited',
      /too many failed attempts/,
    );
    // The token is compared first: failing on purpose from the same address locks no operator out.
    const ok = await f.post(OVERRIDE, body, auth());
    expect(ok.status).toBe(200);
    await ok.arrayBuffer();
    const failed = f.logs.entries.filter((e) => e.msg === 'dashboard: failed authentication');
    expect(failed.length).toBeGreaterThanOrEqual(10);
    expect(failed[0]!.obj).toMatchObject({ client: '127.0.0.1', reason: 'wrong', status: 403 });
    expect(JSON.stringify(f.logs.entries)).not.toContain('bad-0');
  });
});
