/**
 * The one conformance suite every DnsProvider passes (built-in store, Route 53, Cloudflare).
 *
 *   describeDnsProviderConformance('route53', harness)
 *
 * Each case calls `harness.create()` for a fresh, empty zone (apex NS/SOA the backend keeps are
 * allowed), closes the provider at the end of the case, and `harness.cleanup()` runs once after all
 * cases. Records used: A, AAAA and CNAME names under the fixture's zone with TTLs of 60 s or more and
 * documentation addresses (192.0.2.0/24, 198.51.100.0/24, 2001:db8::/32).
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPlan,
  planChanges,
  planIsEmpty,
  recordKey,
  sortRecords,
  changeRecord,
  type DnsProvider,
  type Plan,
  type ProviderRecord,
  type ZoneRead,
} from '@understudy/core';

export interface ProviderFixture {
  provider: DnsProvider;
  /** Zone apex, absolute and lower-case (e.g. "conformance-1.test."). */
  zone: string;
  /** Put records in the zone WITHOUT our ownership marker, as an operator or another tool would. */
  seedForeign(records: ProviderRecord[]): Promise<void>;
  /** Everything the backend holds in the zone, markers included, canonical values. */
  rawRecords(): Promise<ProviderRecord[]>;
}

export interface ProviderHarness {
  /** A provider and a fresh zone. `takeover` is the target's takeover setting. */
  create(opts: { takeover: boolean }): Promise<ProviderFixture>;
  /** Runs once after every case (stop emulators, …). */
  cleanup(): Promise<void>;
  /** Per-case timeout (default 60 s: Route 53 waits for INSYNC). */
  timeoutMs?: number;
}

const isApexInfra = (zone: string) => (r: ProviderRecord) =>
  r.name === zone && (r.type === 'NS' || r.type === 'SOA');

/** Raw records to compare before/after: SOA is left out because backends may bump its serial. */
async function rawState(fx: ProviderFixture): Promise<ProviderRecord[]> {
  return sortRecords((await fx.rawRecords()).filter((r) => r.type !== 'SOA'));
}

function sample(zone: string): ProviderRecord[] {
  return sortRecords([
    { name: `app.${zone}`, type: 'A', ttl: 60, values: ['192.0.2.1', '192.0.2.2'] },
    { name: `v6.${zone}`, type: 'AAAA', ttl: 120, values: ['2001:db8::1'] },
    { name: `www.${zone}`, type: 'CNAME', ttl: 300, values: [`app.${zone}`] },
  ]);
}

type Case = (fx: ProviderFixture) => Promise<void> | void;

export function describeDnsProviderConformance(name: string, harness: ProviderHarness): void {
  const timeout = harness.timeoutMs ?? 60_000;
  const run = (title: string, body: Case, takeover = false): void => {
    it(
      title,
      async () => {
        const fx = await harness.create({ takeover });
        try {
          await body(fx);
        } finally {
          await fx.provider.close();
        }
      },
      timeout,
    );
  };

  describe(`DnsProvider conformance: ${name}`, () => {
    afterAll(() => harness.cleanup());

    run('reads an empty zone: nothing owned, nothing foreign but apex NS/SOA', async (fx) => {
      const read = await fx.provider.read(fx.zone);
      expect(read.zone).toBe(fx.zone);
      expect(read.owned).toEqual([]);
      expect(read.foreign.filter((r) => !isApexInfra(fx.zone)(r))).toEqual([]);
    });

    run('normalize is idempotent and keeps canonical values', (fx) => {
      const once = fx.provider.normalize(sample(fx.zone));
      const twice = fx.provider.normalize(once.records);
      expect(sortRecords(twice.records)).toEqual(sortRecords(once.records));
      expect(twice.warnings).toEqual([]);
      const shape = (rs: ProviderRecord[]) => sortRecords(rs).map((r) => [recordKey(r), r.values]);
      expect(shape(once.records)).toEqual(shape(sample(fx.zone)));
    });

    run('normalize never returns a record without values', (fx) => {
      const bad: ProviderRecord[] = [
        { name: `bad.${fx.zone}`, type: 'A', ttl: 60, values: ['not-an-ip'] },
        { name: `empty.${fx.zone}`, type: 'AAAA', ttl: 60, values: [] },
      ];
      const res = fx.provider.normalize([...sample(fx.zone), ...bad]);
      for (const r of res.records) expect(r.values, recordKey(r)).not.toEqual([]);
      const keys = res.records.map(recordKey);
      for (const r of bad) expect(keys).not.toContain(recordKey(r));
      expect(sortRecords(res.records).map(recordKey)).toEqual(sample(fx.zone).map(recordKey));
      expect(res.warnings.some((w) => w.includes(`bad.${fx.zone}`))).toBe(true);
      expect(res.warnings.some((w) => w.includes(`empty.${fx.zone}`))).toBe(true);
    });

    run('apply creates; read lists them as owned; the report lists every change as ok', async (fx) => {
      const desired = await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const read = await fx.provider.read(fx.zone);
      expect(sortRecords(read.owned)).toEqual(desired);
      expect(foreignExceptApex(fx, read)).toEqual([]);
    });

    run('marker records are neither owned nor foreign records', async (fx) => {
      const before = (await fx.provider.read(fx.zone)).foreign.length;
      await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const read = await fx.provider.read(fx.zone);
      expect(read.owned).toHaveLength(3);
      expect(read.foreign).toHaveLength(before);
      const raw = await fx.rawRecords();
      for (const r of read.owned) expect(raw.map(recordKey)).toContain(recordKey(r));
    });

    run('update: changed values and TTL are applied in place', async (fx) => {
      await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const next = sample(fx.zone).map((r) =>
        r.type === 'A' ? { ...r, ttl: 90, values: ['198.51.100.20'] } : r,
      );
      const plan = await planFor(fx, next);
      expect(plan.updates.map((u) => recordKey(u.after))).toEqual([`app.${fx.zone}/A`]);
      expect(plan.creates).toEqual([]);
      expect(plan.deletes).toEqual([]);
      await applyOk(fx, plan);
      expect(sortRecords((await fx.provider.read(fx.zone)).owned)).toEqual(normalized(fx, next));
    });

    // Issue 14: a tier's healthy addresses are published as one RRset; a subset change (with the shorter
    // degraded TTL) is one in-place update of that RRset, and so is the address coming back.
    run('per-address subset: the healthy set changes as one RRset update, TTL included', async (fx) => {
      const all = ['192.0.2.1', '192.0.2.2', '192.0.2.3'];
      const withApp = (values: string[], ttl: number) =>
        sample(fx.zone).map((r) => (r.type === 'A' ? { ...r, ttl, values } : r));
      await syncTo(fx, withApp(all, 300), { expectChanges: 3 });
      for (const [values, ttl] of [
        [['192.0.2.1', '192.0.2.3'], 60],
        [all, 300],
      ] as const) {
        const next = withApp([...values], ttl);
        const plan = await planFor(fx, next);
        expect(plan.updates.map((u) => recordKey(u.after))).toEqual([`app.${fx.zone}/A`]);
        expect(plan.updates[0]!.after).toMatchObject({ ttl, values: [...values].sort() });
        expect(plan.creates).toEqual([]);
        expect(plan.deletes).toEqual([]);
        await applyOk(fx, plan);
        expect(sortRecords((await fx.provider.read(fx.zone)).owned)).toEqual(normalized(fx, next));
      }
    });

    run('delete: removing every owned record leaves the backend as it was', async (fx) => {
      const baseline = await rawState(fx);
      await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const keep = sample(fx.zone).filter((r) => r.type !== 'AAAA');
      const one = await planFor(fx, keep);
      expect(one.deletes.map(recordKey)).toEqual([`v6.${fx.zone}/AAAA`]);
      await applyOk(fx, one);
      expect((await fx.provider.read(fx.zone)).owned.map(recordKey).sort()).toEqual(
        keep.map(recordKey).sort(),
      );
      await syncTo(fx, [], { expectChanges: 2 });
      expect((await fx.provider.read(fx.zone)).owned).toEqual([]);
      expect(await rawState(fx)).toEqual(baseline);
    });

    run('foreign records are reported as foreign, raise conflicts and are never modified', async (fx) => {
      const zone = fx.zone;
      const legacy: ProviderRecord = {
        name: `legacy.${zone}`,
        type: 'A',
        ttl: 300,
        values: ['198.51.100.7'],
      };
      const squatter: ProviderRecord = { name: `app.${zone}`, type: 'A', ttl: 300, values: ['198.51.100.9'] };
      await fx.seedForeign([legacy, squatter]);
      const foreignRaw = async () =>
        sortRecords(
          (await fx.rawRecords()).filter((r) =>
            [legacy, squatter].some((f) => recordKey(f) === recordKey(r)),
          ),
        );
      const seeded = await foreignRaw();
      expect(seeded).toEqual(sortRecords([legacy, squatter]));

      const read = await fx.provider.read(zone);
      expect(read.owned).toEqual([]);
      expect(sortRecords(foreignExceptApex(fx, read))).toEqual(sortRecords([legacy, squatter]));

      const plan = await planFor(fx, sample(zone));
      expect(plan.conflicts.map(recordKey)).toEqual([`app.${zone}/A`]);
      expect(plan.creates.map(recordKey)).not.toContain(`app.${zone}/A`);
      await applyOk(fx, plan);
      expect(await foreignRaw()).toEqual(seeded);

      // Desiring nothing deletes what we own and nothing else.
      await syncTo(fx, [], { expectChanges: 2 });
      expect(await foreignRaw()).toEqual(seeded);
      expect(sortRecords(foreignExceptApex(fx, await fx.provider.read(zone)))).toEqual(seeded);
    });

    run(
      'takeover: a foreign record becomes an update and is owned afterwards',
      async (fx) => {
        const squatter: ProviderRecord = {
          name: `app.${fx.zone}`,
          type: 'A',
          ttl: 300,
          values: ['198.51.100.9'],
        };
        await fx.seedForeign([squatter]);
        const desired = normalized(fx, sample(fx.zone));
        const read = await fx.provider.read(fx.zone);
        const plan = createPlan(fx.provider.name, fx.zone, read, desired, { takeover: true });
        expect(plan.conflicts).toEqual([]);
        expect(plan.updates.map((u) => recordKey(u.before))).toEqual([`app.${fx.zone}/A`]);
        await applyOk(fx, plan);
        const after = await fx.provider.read(fx.zone);
        expect(sortRecords(after.owned)).toEqual(desired);
        expect(foreignExceptApex(fx, after)).toEqual([]);
        expect(planIsEmpty(createPlan(fx.provider.name, fx.zone, after, desired, { takeover: true }))).toBe(
          true,
        );
      },
      true,
    );

    run('an empty plan changes nothing', async (fx) => {
      await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const before = await rawState(fx);
      const plan = await planFor(fx, sample(fx.zone));
      expect(planIsEmpty(plan)).toBe(true);
      const report = await fx.provider.apply(plan);
      expect(report.changes).toEqual([]);
      expect(await rawState(fx)).toEqual(before);
    });

    run('round trip: after apply, a plan against the same desired records is empty', async (fx) => {
      await syncTo(fx, sample(fx.zone), { expectChanges: 3 });
      const flipped = sample(fx.zone).map((r) =>
        r.type === 'A' ? { ...r, values: ['198.51.100.30', '198.51.100.31'] } : r,
      );
      await syncTo(fx, flipped, { expectChanges: 1 });
      expect(planIsEmpty(await planFor(fx, flipped))).toBe(true);
    });
  });
}

function normalized(fx: ProviderFixture, records: ProviderRecord[]): ProviderRecord[] {
  return sortRecords(fx.provider.normalize(records).records);
}

function foreignExceptApex(fx: ProviderFixture, read: ZoneRead): ProviderRecord[] {
  return read.foreign.filter((r) => !isApexInfra(fx.zone)(r));
}

async function planFor(fx: ProviderFixture, desired: ProviderRecord[]): Promise<Plan> {
  const read = await fx.provider.read(fx.zone);
  return createPlan(fx.provider.name, fx.zone, read, normalized(fx, desired), { takeover: false });
}

/** Apply and check the report: one ok entry per planned change, propagation confirmed. */
async function applyOk(fx: ProviderFixture, plan: Plan): Promise<void> {
  const report = await fx.provider.apply(plan);
  expect(report.target).toBe(fx.provider.name);
  expect(report.zone).toBe(fx.zone);
  const got = report.changes.map((c) => `${c.kind} ${recordKey(c)} ${c.ok ? 'ok' : (c.error ?? 'failed')}`);
  const want = planChanges(plan).map((c) => `${c.kind} ${recordKey(changeRecord(c))} ok`);
  expect(got.sort()).toEqual(want.sort());
  if (!planIsEmpty(plan)) {
    expect(report.propagated).toBe(true);
    expect(typeof report.publishedAt).toBe('number');
    expect(report.apiCalls).toBeGreaterThanOrEqual(1);
    expect(report.batches).toBeGreaterThanOrEqual(1);
  }
}

/** Plan towards `desired`, expect that many changes, apply, and return the normalized desired records. */
async function syncTo(
  fx: ProviderFixture,
  desired: ProviderRecord[],
  opts: { expectChanges: number },
): Promise<ProviderRecord[]> {
  const plan = await planFor(fx, desired);
  expect(planChanges(plan)).toHaveLength(opts.expectChanges);
  await applyOk(fx, plan);
  return normalized(fx, desired);
}
