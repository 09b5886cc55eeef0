/**
 * Routing-policy and alias record sets, and paging through a group of sets with identifiers
 * (NextRecordIdentifier / StartRecordIdentifier), as the SDK's Route 53 model describes them.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Route53Emulator } from './server.js';
import { startRoute53Emulator } from './server.js';
import type { TestChange } from './test-client.js';
import { change, r53 } from './test-client.js';

let emu: Route53Emulator;
let zoneId: string;
beforeEach(async () => {
  emu = await startRoute53Emulator();
  zoneId = emu.createZone('example.test');
});
afterEach(() => emu.close());

const NAME = 'app.example.test.';
const failover = (role: 'PRIMARY' | 'SECONDARY', ip: string, action: TestChange['action'] = 'CREATE') => ({
  action,
  name: NAME,
  type: 'A',
  ttl: 60,
  values: [ip],
  routing: `<SetIdentifier>${role.toLowerCase()}</SetIdentifier><Failover>${role}</Failover>`,
  ...(role === 'PRIMARY' ? { tail: '<HealthCheckId>hc-1</HealthCheckId>' } : {}),
});
const weighted = (i: number): TestChange => ({
  action: 'CREATE',
  name: NAME,
  type: 'A',
  ttl: 60,
  values: [`10.1.0.${i + 1}`],
  routing: `<SetIdentifier>w${String(i).padStart(3, '0')}</SetIdentifier><Weight>${i}</Weight>`,
});
const plain = (action: TestChange['action'] = 'UPSERT'): TestChange => ({
  action,
  name: NAME,
  type: 'A',
  ttl: 60,
  values: ['192.0.2.9'],
});

describe('route53 emulator: routing-policy and alias record sets', () => {
  it('holds a failover pair at one name and type, and lists both with their identifiers', async () => {
    const r = await change(emu, zoneId, [
      failover('PRIMARY', '192.0.2.1'),
      failover('SECONDARY', '192.0.2.2'),
    ]);
    expect(r.status).toBe(200);
    const sets = emu.records(zoneId).filter((x) => x.name === NAME);
    expect(sets.map((x) => [x.setIdentifier, x.policy?.['Failover']])).toEqual([
      ['primary', 'PRIMARY'],
      ['secondary', 'SECONDARY'],
    ]);
    const list = await r53(emu, 'GET', `hostedzone/${zoneId}/rrset?name=${NAME}&type=A`);
    expect(list.body).toContain(
      '<SetIdentifier>primary</SetIdentifier><Failover>PRIMARY</Failover><TTL>60</TTL>',
    );
    expect(list.body).toContain('<HealthCheckId>hc-1</HealthCheckId>');
  });

  it('a plain set cannot join sets with identifiers (nor the reverse); both refusals are InvalidChangeBatch', async () => {
    await change(emu, zoneId, [failover('PRIMARY', '192.0.2.1'), failover('SECONDARY', '192.0.2.2')]);
    const up = await change(emu, zoneId, [plain()]);
    expect([up.status, up.code]).toEqual([400, 'InvalidChangeBatch']);
    expect(up.body).toContain('cannot be created as other RRSets exist with the same name and type');
    const other = await change(emu, zoneId, [{ ...plain('CREATE'), name: 'b.example.test.' }]);
    expect(other.status).toBe(200);
    const w = await change(emu, zoneId, [{ ...weighted(1), name: 'b.example.test.' }]);
    expect(w.code).toBe('InvalidChangeBatch');
    expect(w.body).toContain('cannot be created as a non-weighted set exists');
  });

  it('replacing the sets by a plain record works when the batch deletes each set exactly', async () => {
    await change(emu, zoneId, [failover('PRIMARY', '192.0.2.1'), failover('SECONDARY', '192.0.2.2')]);
    const wrong = await change(emu, zoneId, [{ ...failover('PRIMARY', '192.0.2.1', 'DELETE'), ttl: 300 }]);
    expect(wrong.body).toContain('do not match');
    const r = await change(emu, zoneId, [
      failover('PRIMARY', '192.0.2.1', 'DELETE'),
      failover('SECONDARY', '192.0.2.2', 'DELETE'),
      plain('CREATE'),
    ]);
    expect(r.status).toBe(200);
    expect(emu.records(zoneId).filter((x) => x.name === NAME)).toEqual([
      { name: NAME, type: 'A', ttl: 60, values: ['192.0.2.9'] },
    ]);
  });

  it('alias sets take no TTL and no values; a non-alias PRIMARY needs a health check', async () => {
    const alias: TestChange = {
      action: 'CREATE',
      name: 'www.example.test.',
      type: 'A',
      ttl: null,
      values: [],
      tail: '<AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d1.cloudfront.net.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>',
    };
    expect((await change(emu, zoneId, [alias])).status).toBe(200);
    expect((await change(emu, zoneId, [{ ...alias, name: 'x.example.test.', ttl: 60 }])).code).toBe(
      'InvalidInput',
    );
    const list = await r53(emu, 'GET', `hostedzone/${zoneId}/rrset?name=www.example.test.&type=A`);
    expect(list.body).toMatch(/<Type>A<\/Type><AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</);
    expect((await change(emu, zoneId, [plain('UPSERT'), { ...alias, name: NAME }])).code).toBe(
      'InvalidChangeBatch',
    );
    const noCheck = await change(emu, zoneId, [{ ...failover('PRIMARY', '192.0.2.1'), tail: '' }]);
    expect(noCheck.body).toContain('must have an associated health check');
  });
});

describe('route53 emulator: paging inside a group of sets with identifiers', () => {
  it('a page that ends inside the group names NextRecordIdentifier; StartRecordIdentifier goes on from it', async () => {
    expect(
      (
        await change(
          emu,
          zoneId,
          Array.from({ length: 7 }, (_, i) => weighted(i)),
        )
      ).status,
    ).toBe(200);
    const seen: string[] = [];
    let q = `maxitems=3&name=${NAME}&type=A`;
    for (let page = 0; page < 10; page++) {
      const r = await r53(emu, 'GET', `hostedzone/${zoneId}/rrset?${q}`);
      seen.push(...[...r.body.matchAll(/<SetIdentifier>([^<]+)<\/SetIdentifier>/g)].map((m) => m[1]!));
      if (r.body.includes('<IsTruncated>false</IsTruncated>')) break;
      const id = /<NextRecordIdentifier>([^<]+)<\/NextRecordIdentifier>/.exec(r.body)?.[1];
      expect(id, 'a truncated page inside the group names the next identifier').toBeDefined();
      q = `maxitems=3&name=${NAME}&type=A&identifier=${id!}`;
    }
    expect(seen).toEqual(['w000', 'w001', 'w002', 'w003', 'w004', 'w005', 'w006']);
  });
});

describe('route53 emulator: InvalidChangeBatch lists every refused change', () => {
  it('two refused changes in one batch: the message is [m1, m2] and nothing applies', async () => {
    const r = await change(emu, zoneId, [
      { ...plain('DELETE'), name: 'gone-1.example.test.' },
      plain('CREATE'),
      { ...plain('DELETE'), name: 'gone-2.example.test.' },
    ]);
    expect(r.code).toBe('InvalidChangeBatch');
    const msg = /<Message>([^<]+)<\/Message>/.exec(r.body)![1]!;
    expect(msg).toMatch(
      /^\[Tried to delete .*gone-1.* but it was not found, Tried to delete .*gone-2.* but it was not found\]$/,
    );
    expect(emu.records(zoneId).filter((x) => x.name === NAME)).toEqual([]);
  });
});
