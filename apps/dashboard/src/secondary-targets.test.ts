/** Zone-transfer secondaries in the API (issue 15): targets with the serial they serve, per record too. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secondaryTarget } from '@understudy/core';
import { startFixture, testConfig, type Fixture } from './test-support/fixture.js';
import { responseValidator } from './test-support/validate.js';

let f: Fixture;
const valid = responseValidator();
const nsd = secondaryTarget('192.0.2.53:53');

beforeAll(async () => {
  const base = testConfig();
  f = await startFixture({
    ...base,
    dns: {
      ...base.dns,
      transfer: {
        allow: [],
        keys: [],
        notify: [
          { host: '192.0.2.53', port: 53, key: null },
          { host: '192.0.2.54', port: 53, key: null },
        ],
        journalSize: 100,
        notifyRetry: 1000,
        notifyRetryMax: 60_000,
        notifyMinInterval: 0,
      },
    },
  });
});
afterAll(() => f.close());

describe('secondary targets', () => {
  it('GET /api/v1/targets lists each configured secondary with what the DNS instances saw it serve', async () => {
    const serial = f.world.harness.engine.zoneState.serial;
    await f.world.store.recordPublication({ target: nsd, instance: 'host-a', serial, at: f.world.now });
    await f.source.refresh();
    const t = (await (await f.get('/api/v1/targets')).json()) as { items: { target: string }[] };
    expect(valid('GET', '/api/v1/targets', t)).toBe(true);
    expect(t.items.filter((i) => i.target.startsWith('secondary:'))).toEqual([
      {
        target: nsd,
        type: 'secondary',
        instances: [{ instance: 'host-a', serial, at: f.world.now }],
        status: null,
      },
      { target: 'secondary:192.0.2.54:53', type: 'secondary', instances: [], status: null },
    ]);
    const r = (await (await f.get('/api/v1/records')).json()) as {
      items: { targets: { target: string; inSync: boolean; appliedSerial: number | null }[] }[];
    };
    expect(valid('GET', '/api/v1/records', r)).toBe(true);
    expect(r.items[0]!.targets.find((x) => x.target === nsd)).toMatchObject({
      type: 'secondary',
      appliedSerial: serial,
      inSync: true,
    });
    expect(r.items[0]!.targets.find((x) => x.target === 'secondary:192.0.2.54:53')).toMatchObject({
      appliedSerial: null,
      inSync: false,
    });
  });
});
