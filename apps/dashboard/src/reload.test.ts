/**
 * Reload (issue 13): the running dashboard serves the new config's records and checks, its hash, and its
 * admin tokens and read-auth setting, once applyConfig resolves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { failoverRecord, httpCheck } from '../../../libs/core/src/test-support/fixtures.js';
import { config as coreConfig } from '../../../libs/core/src/test-support/fixtures.js';
import { auth, startFixture, testConfig, type Fixture } from './test-support/fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

const WEB = 'web.example.test./A';

function reloaded() {
  const base = coreConfig({
    checks: [httpCheck('primary'), httpCheck('secondary'), httpCheck('extra')],
    records: [
      failoverRecord(),
      failoverRecord({
        id: WEB,
        name: 'web.example.test.',
        answers: [{ name: 'only', values: ['203.0.113.7'], check: 'extra' }],
      }),
    ],
  });
  return {
    config: {
      ...base,
      admin: { tokens: [{ name: 'bob', token: 'bob-token-after-reload' }] },
      dashboard: { readAuth: true },
    },
    hash: 'beef'.repeat(16),
  };
}

describe('DashboardServer.applyConfig', () => {
  it('serves the new records, checks, hash, tokens and read-auth setting', async () => {
    f = await startFixture(testConfig());
    const before = (await (await f.get('/api/v1/records')).json()) as { items: { id: string }[] };
    expect(before.items.map((r) => r.id)).toEqual(['app.example.test./A']);

    await f.server.applyConfig(reloaded());

    // Read auth is on now, with the new token only.
    expect((await f.get('/api/v1/status')).status).toBe(401);
    expect((await f.get('/api/v1/status', auth())).status).toBe(403);
    const bob = auth('bob-token-after-reload');
    const status = (await (await f.get('/api/v1/status', bob)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ configHash: 'beef'.repeat(16), counts: { checks: 3, records: 2 } });
    const records = (await (await f.get('/api/v1/records', bob)).json()) as { items: { id: string }[] };
    expect(records.items.map((r) => r.id).sort()).toEqual(['app.example.test./A', WEB]);
    const checks = (await (await f.get('/api/v1/checks', bob)).json()) as {
      items: { id: string; verdict: string }[];
    };
    expect(checks.items.map((c) => c.id).sort()).toEqual(['extra', 'primary', 'secondary']);
    expect(checks.items.find((c) => c.id === 'extra')?.verdict).toBe('unknown');
    expect(f.logs.messages('info')).toContain('dashboard: new config applied');
  });
});
