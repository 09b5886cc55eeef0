import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { recordingLogger } from '@understudy/testkit/logger';
import { startOpsServer, type OpsServer } from './ops-server.js';

describe('ops server: operator actions', () => {
  let server: OpsServer;
  let base: string;
  const calls: { body: unknown; actor: string }[] = [];

  beforeEach(async () => {
    calls.length = 0;
    server = await startOpsServer({
      listen: { host: '127.0.0.1', port: 0 },
      logger: recordingLogger(),
      registry: new Registry(),
      readiness: () => ({ ready: true }),
      admin: {
        tokens: [{ name: 'oncall', token: 'oncall-token-0123456789' }],
        actions: [
          {
            name: 'override',
            run: (body, actor) => {
              calls.push({ body, actor });
              return Promise.resolve(
                body.fail
                  ? { status: 404, body: { error: 'no such record' } }
                  : { status: 200, body: { done: true } },
              );
            },
          },
        ],
      },
    });
    base = `http://127.0.0.1:${server.address.port}`;
  });
  afterEach(() => server.close());

  const post = (path: string, body: string, token?: string) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  it('runs the action with the body and the token name as the actor', async () => {
    const res = await post('/admin/override', '{"record":"app","mode":"down"}', 'oncall-token-0123456789');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    expect(calls).toEqual([{ body: { record: 'app', mode: 'down' }, actor: 'oncall' }]);
  });

  it('passes the action status through', async () => {
    const res = await post('/admin/override', '{"fail":true}', 'oncall-token-0123456789');
    expect(res.status).toBe(404);
  });

  it('refuses without a token (401) and with a wrong one (403), never running the action', async () => {
    const none = await post('/admin/override', '{}');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await post('/admin/override', '{}', 'wrong-token-0123456789')).status).toBe(403);
    expect(calls).toHaveLength(0);
  });

  it.each([
    ['not json', 400],
    ['[1,2]', 400],
    [`{"x":"${'a'.repeat(20_000)}"}`, 413],
  ])('rejects the body %#', async (body, status) => {
    expect((await post('/admin/override', body, 'oncall-token-0123456789')).status).toBe(status);
    expect(calls).toHaveLength(0);
  });

  it('answers 404 for an unknown action and 405 for GET', async () => {
    expect((await post('/admin/nope', '{}', 'oncall-token-0123456789')).status).toBe(404);
    const get = await fetch(`${base}/admin/override`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });
});
