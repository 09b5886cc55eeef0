import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Route53Emulator } from './server.js';
import { startRoute53Emulator } from './server.js';
import { a, change, r53 } from './test-client.js';

let emu: Route53Emulator;
let zoneId: string;
beforeEach(async () => {
  emu = await startRoute53Emulator({
    validAccessKeyIds: ['AKIDTEST', 'AKIDTWO'],
    deniedAccessKeyIds: ['AKIDNOPE'],
  });
  zoneId = emu.createZone('example.test');
});
afterEach(() => emu.close());

const aRecords = (): string[] =>
  emu
    .records(zoneId)
    .filter((r) => r.type === 'A')
    .map((r) => r.name);

describe('route53 emulator: change batches', () => {
  it('CREATE of an existing RRset and a DELETE that does not match are InvalidChangeBatch', async () => {
    expect((await change(emu, zoneId, [a(1)])).status).toBe(200);
    const dup = await change(emu, zoneId, [a(1)]);
    expect([dup.status, dup.code]).toEqual([400, 'InvalidChangeBatch']);
    expect(dup.body).toMatch(/already exists/);
    const wrong = await change(emu, zoneId, [{ ...a(1, 'DELETE'), values: ['10.0.1.9'] }]);
    expect([wrong.status, wrong.code]).toEqual([400, 'InvalidChangeBatch']);
    const missing = await change(emu, zoneId, [a(2, 'DELETE')]);
    expect(missing.body).toMatch(/not found/);
    expect((await change(emu, zoneId, [a(1, 'DELETE')])).status).toBe(200);
    expect(aRecords()).toEqual([]);
  });

  it('a batch is atomic: one bad change and nothing applies', async () => {
    const r = await change(emu, zoneId, [a(1), a(2), { ...a(3), values: ['999.1.1.1'] }]);
    expect(r.code).toBe('InvalidChangeBatch');
    expect(aRecords()).toEqual([]);
    expect(emu.stats().changeBatches).toBe(0);
  });

  it('counts ResourceRecord elements with UPSERT twice: 500 UPSERTs pass, 501 fail', async () => {
    const ups = (n: number) => Array.from({ length: n }, (_, i) => a(i, 'UPSERT'));
    const over = await change(emu, zoneId, ups(501));
    expect([over.status, over.code]).toEqual([400, 'InvalidChangeBatch']);
    expect(over.body).toMatch(/1000/);
    expect((await change(emu, zoneId, ups(500))).status).toBe(200);
    expect(
      (
        await change(
          emu,
          zoneId,
          Array.from({ length: 1000 }, (_, i) => a(i + 1000)),
        )
      ).status,
    ).toBe(200);
    expect(emu.stats()).toMatchObject({ changeBatches: 2, changes: 1500 });
  });

  it('limits value characters to 32,000 per batch', async () => {
    const txt = (i: number) => ({
      action: 'CREATE' as const,
      name: `t${i}.example.test.`,
      type: 'TXT',
      ttl: 60,
      values: [`"${'x'.repeat(250)}"`],
    });
    const r = await change(
      emu,
      zoneId,
      Array.from({ length: 130 }, (_, i) => txt(i)),
    );
    expect(r.code).toBe('InvalidChangeBatch');
    expect(r.body).toMatch(/32000/);
  });

  it('unknown types, bad TTLs and bad XML are InvalidInput; a name outside the zone is InvalidChangeBatch', async () => {
    expect((await change(emu, zoneId, [{ ...a(1), type: 'BOGUS' }])).code).toBe('InvalidInput');
    expect((await change(emu, zoneId, [{ ...a(1), ttl: -1 }])).code).toBe('InvalidInput');
    expect((await change(emu, zoneId, [{ ...a(1), ttl: 'soon' }])).code).toBe('InvalidInput');
    expect((await r53(emu, 'POST', `hostedzone/${zoneId}/rrset/`, '<nope')).code).toBe('InvalidInput');
    expect((await change(emu, zoneId, [{ ...a(1), name: 'h1.elsewhere.test.' }])).code).toBe(
      'InvalidChangeBatch',
    );
    expect(
      (await change(emu, zoneId, [{ ...a(1), type: 'CNAME', values: ['a.example.', 'b.example.'] }])).code,
    ).toBe('InvalidChangeBatch');
  });

  it('refuses a CNAME next to other data, and deleting apex SOA/NS', async () => {
    await change(emu, zoneId, [a(1)]);
    const r = await change(emu, zoneId, [{ ...a(1), type: 'CNAME', values: ['x.example.'] }]);
    expect(r.code).toBe('InvalidChangeBatch');
    const soa = emu.records(zoneId).find((x) => x.type === 'SOA')!;
    const del = await change(emu, zoneId, [{ action: 'DELETE', ...soa }]);
    expect(del.code).toBe('InvalidChangeBatch');
  });
});

describe('route53 emulator: reads, changes, errors', () => {
  it('pages ListResourceRecordSets with NextRecordName/NextRecordType', async () => {
    await change(
      emu,
      zoneId,
      Array.from({ length: 250 }, (_, i) => a(i)),
    );
    const names: string[] = [];
    let q = 'maxitems=100';
    for (let page = 0; page < 10; page++) {
      const r = await r53(emu, 'GET', `hostedzone/${zoneId}/rrset?${q}`);
      names.push(...[...r.body.matchAll(/<Name>([^<]+)<\/Name>/g)].map((m) => m[1]!));
      const next = /<NextRecordName>([^<]+)<\/NextRecordName><NextRecordType>([^<]+)</.exec(r.body);
      if (!next) {
        expect(r.body).toContain('<IsTruncated>false</IsTruncated>');
        break;
      }
      q = `maxitems=100&name=${encodeURIComponent(next[1]!)}&type=${next[2]!}`;
    }
    expect(names).toHaveLength(252);
    expect(new Set(names).size).toBe(251);
  });

  it('GetChange goes PENDING → INSYNC after the delay; PriorRequestNotComplete while PENDING when enabled', async () => {
    emu.setFaults({ insyncDelayMs: 300, priorRequestWhilePending: true });
    const r = await change(emu, zoneId, [a(1)]);
    const id = /<Id>\/change\/([^<]+)<\/Id>/.exec(r.body)![1]!;
    expect((await r53(emu, 'GET', `change/${id}`)).body).toContain('<Status>PENDING</Status>');
    const busy = await change(emu, zoneId, [a(2)]);
    expect([busy.status, busy.code]).toEqual([400, 'PriorRequestNotComplete']);
    await new Promise((res) => setTimeout(res, 350));
    expect((await r53(emu, 'GET', `change/${encodeURIComponent(`/change/${id}`)}`)).body).toContain(
      '<Status>INSYNC</Status>',
    );
    expect((await change(emu, zoneId, [a(2)])).status).toBe(200);
    expect((await r53(emu, 'GET', 'change/CNOSUCH')).code).toBe('NoSuchChange');
  });

  it('finds zones by name and reports unknown ones', async () => {
    emu.createZone('b.test');
    const r = await r53(emu, 'GET', 'hostedzonesbyname?dnsname=example.test&maxitems=1');
    expect(r.body).toContain(`<Id>/hostedzone/${zoneId}</Id>`);
    expect(r.body).toContain('<IsTruncated>false</IsTruncated>');
    const all = await r53(emu, 'GET', 'hostedzonesbyname?maxitems=1');
    expect(all.body).toMatch(
      /<Name>b\.test\.<\/Name>.*<IsTruncated>true<\/IsTruncated><NextDNSName>example\.test\.</s,
    );
    const missing = await r53(emu, 'GET', 'hostedzone/ZNOSUCH');
    expect([missing.status, missing.code]).toEqual([404, 'NoSuchHostedZone']);
  });

  it('credentials: missing, unknown and denied keys get 403 with the right code', async () => {
    expect((await r53(emu, 'GET', `hostedzone/${zoneId}`, undefined, null)).code).toBe(
      'MissingAuthenticationToken',
    );
    const bad = await r53(emu, 'GET', `hostedzone/${zoneId}`, undefined, 'AKIDBAD');
    expect([bad.status, bad.code]).toEqual([403, 'InvalidClientTokenId']);
    expect((await r53(emu, 'GET', `hostedzone/${zoneId}`, undefined, 'AKIDNOPE')).code).toBe('AccessDenied');
    expect(emu.stats().authFailures).toBe(2);
  });

  it('real limits: a burst beyond 5 requests/s per access key is throttled', async () => {
    emu.setFaults({ requestsPerSecond: 5 });
    const replies = await Promise.all(
      Array.from({ length: 8 }, () => r53(emu, 'GET', `hostedzone/${zoneId}`)),
    );
    const throttled = replies.filter((r) => r.code === 'Throttling');
    expect(throttled.length).toBeGreaterThanOrEqual(2);
    expect(throttled.every((r) => r.status === 400)).toBe(true);
    expect(emu.stats().throttled).toBe(throttled.length);
    expect(emu.stats().calls['GetHostedZone']).toBe(8);
  });

  it('injected 5xx and latency', async () => {
    emu.setFaults({ failNext: 1, latencyMs: 150 });
    const t0 = Date.now();
    const r = await r53(emu, 'GET', `hostedzone/${zoneId}`);
    expect([r.status, r.code]).toEqual([500, 'InternalFailure']);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect((await r53(emu, 'GET', `hostedzone/${zoneId}`)).status).toBe(200);
  });
});

describe('route53 emulator: name limits (issue 17, case 4)', () => {
  it('refuses a label over 63 octets and a name over 255 octets on the wire', async () => {
    const long = await change(emu, zoneId, [{ ...a(1), name: `${'x'.repeat(64)}.example.test.` }]);
    expect([long.status, long.code]).toEqual([400, 'InvalidChangeBatch']);
    expect(long.body).toContain('DomainLabelTooLong');
    // 4 labels of 60 + example.test = 4 × 61 + 8 + 5 + 1 = 258 octets on the wire.
    const name = `${['a', 'b', 'c', 'd'].map((c) => c.repeat(60)).join('.')}.example.test.`;
    const tooLong = await change(emu, zoneId, [{ ...a(1), name }]);
    expect(tooLong.body).toContain('DomainNameTooLong');
    const fits = `${'x'.repeat(63)}.example.test.`;
    expect((await change(emu, zoneId, [{ ...a(1), name: fits }])).status).toBe(200);
  });
});

describe('route53 emulator: the rate limit is per account (issue 17, case 3)', () => {
  it('two access keys of one account share its 5 requests/s', async () => {
    emu.setFaults({ requestsPerSecond: 5 });
    for (const key of ['AKIDTEST', 'AKIDTWO']) {
      const res = await fetch(`${emu.url}/__emulator/accounts`, {
        method: 'POST',
        body: JSON.stringify({ accessKeyId: key, account: '111122223333' }),
      });
      expect(res.status).toBe(200);
    }
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        r53(emu, 'GET', `hostedzone/${zoneId}`, undefined, i % 2 === 0 ? 'AKIDTEST' : 'AKIDTWO'),
      ),
    );
    // 4 requests per key fit a per-key bucket of 5; 8 against one account's bucket do not.
    expect(replies.filter((r) => r.code === 'Throttling').length).toBeGreaterThanOrEqual(2);
  });
});

describe('route53 emulator: smaller differences (issue 17, case 6)', () => {
  it('lists names as a plain comparison of the reversed labels: a-b. before a.', async () => {
    await change(emu, zoneId, [
      { ...a(1), name: 'a.example.test.' },
      { ...a(2), name: 'a-b.example.test.' },
      { ...a(3), name: 'b.a.example.test.' },
    ]);
    expect(aRecords()).toEqual(['a-b.example.test.', 'a.example.test.', 'b.a.example.test.']);
  });

  it('TXT strings count bytes, values stop at 4,000 characters, duplicate values are refused', async () => {
    const txt = (value: string) => ({
      action: 'CREATE' as const,
      name: 't.example.test.',
      type: 'TXT',
      ttl: 60,
      values: [value],
    });
    // 128 two-byte characters: 128 characters, 256 bytes.
    const wide = await change(emu, zoneId, [txt(`"${'é'.repeat(128)}"`)]);
    expect(wide.body).toContain('longer than 255 bytes');
    const long = `"${'x'.repeat(250)}" `.repeat(16).trim();
    expect(long.length).toBeGreaterThan(4000);
    expect((await change(emu, zoneId, [txt(long)])).body).toContain('over 4000');
    const dup = await change(emu, zoneId, [{ ...a(1), values: ['10.0.0.1', '10.0.0.1'] }]);
    expect([dup.code, /Duplicate Resource Record/.test(dup.body)]).toEqual(['InvalidChangeBatch', true]);
    expect((await change(emu, zoneId, [txt(`"${'é'.repeat(127)}"`)])).status).toBe(200);
  });
});
