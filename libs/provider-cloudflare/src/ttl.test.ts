/** Provider TTL limits: minimum raised with a warning, proxied records at 300 s. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, type ProviderRecord } from '@understudy/core';
import { normalizeForCloudflare } from './normalize.js';
import { provider, startEmulator, targetConfig, type CloudflareEmulator } from './test-support/fixture.js';

const ZONE = 'ttl.test.';
let emu: CloudflareEmulator;

beforeAll(async () => {
  emu = await startEmulator({ zones: [{ name: ZONE }, { name: 'ent.test', enterprise: true }] });
});
afterAll(() => emu.close());

const target = { name: 'cf', minTtl: 60, proxied: false, zones: [{ apex: ZONE, id: null }] };

describe('Cloudflare TTL rules', () => {
  it('raises a TTL below the minimum, with a warning, and publishes the raised TTL', async () => {
    const p = provider(targetConfig(emu, [ZONE]));
    const desired: ProviderRecord[] = [{ name: `app.${ZONE}`, type: 'A', ttl: 20, values: ['192.0.2.1'] }];
    const n = p.normalize(desired);
    expect(n.records[0]!.ttl).toBe(60);
    expect(n.warnings).toEqual([
      `cloudflare target "cf": app.${ZONE}/A: TTL 20 s published as 60 s (the provider minimum TTL is 60 s)`,
    ]);
    await p.apply(createPlan('cf', ZONE, await p.read(ZONE), n.records, { takeover: false }));
    expect(emu.records(ZONE)[0]!.ttl).toBe(60);
  });

  it('accepts 30 s on an Enterprise zone when minTtl is 30', async () => {
    const p = provider(targetConfig(emu, ['ent.test.'], { minTtl: 30 }));
    const n = p.normalize([{ name: 'a.ent.test.', type: 'A', ttl: 30, values: ['192.0.2.1'] }]);
    expect(n.warnings).toEqual([]);
    await p.apply(createPlan('cf', 'ent.test.', await p.read('ent.test.'), n.records, { takeover: false }));
    expect(emu.records('ent.test')[0]!.ttl).toBe(30);
  });

  it('publishes proxied records at the fixed 300 s TTL and reads them back without drift', async () => {
    const p = provider(targetConfig(emu, [ZONE], { proxied: true }));
    const n = p.normalize([
      { name: `web.${ZONE}`, type: 'A', ttl: 60, values: ['192.0.2.9'] },
      { name: `note.${ZONE}`, type: 'TXT', ttl: 120, values: ['"hello"'] },
    ]);
    expect(n.records.map((r) => r.ttl)).toEqual([300, 120]);
    expect(n.warnings).toEqual([
      `cloudflare target "cf": web.${ZONE}/A: TTL 60 s published as 300 s (proxied records are served with a fixed 300 s TTL)`,
    ]);
    await p.apply(createPlan('cf', ZONE, await p.read(ZONE), n.records, { takeover: false }));
    const web = emu.records(ZONE).find((r) => r.name === `web.${ZONE.slice(0, -1)}`)!;
    expect([web.proxied, web.ttl]).toEqual([true, 1]);
    const note = emu.records(ZONE).find((r) => r.type === 'TXT')!;
    expect([note.proxied, note.ttl]).toEqual([false, 120]);
    const again = createPlan('cf', ZONE, await p.read(ZONE), n.records, { takeover: false });
    expect(again.creates).toEqual([]);
    expect(again.updates).toEqual([]);
  });

  it('normalize leaves out the SOA and apex NS, and bad values, each with a warning', () => {
    const n = normalizeForCloudflare(
      [
        { name: ZONE, type: 'SOA', ttl: 300, values: [`ns.${ZONE} h.${ZONE} 1 2 3 4 5`] },
        { name: ZONE, type: 'NS', ttl: 300, values: [`ns.${ZONE}`] },
        { name: `sub.${ZONE}`, type: 'NS', ttl: 300, values: [`ns.sub.${ZONE}`] },
        { name: `x.${ZONE}`, type: 'A', ttl: 90000, values: ['not-an-ip', '192.0.2.1'] },
      ],
      target,
    );
    expect(n.records.map((r) => `${r.name}/${r.type} ${r.ttl} ${r.values.join(',')}`)).toEqual([
      `sub.${ZONE}/NS 300 ns.sub.${ZONE}`,
      `x.${ZONE}/A 86400 192.0.2.1`,
    ]);
    expect(n.warnings).toHaveLength(4);
    expect(n.warnings.join('\n')).toMatch(
      /SOA and NS[\s\S]*SOA and NS[\s\S]*not-an-ip[\s\S]*maximum TTL is 86400 s/,
    );
  });
});
