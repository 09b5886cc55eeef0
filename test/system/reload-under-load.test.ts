/**
 * Issue 13 §2's test: under steady DNS load, reload `understudy run` with an added record, a changed TTL,
 * an added and a removed check, then a broken file. 0 failed queries; the new answers served; the broken
 * file refused with its errors; the verdicts of unchanged checks kept (same verdict, same changedAt).
 *
 * The in-place application is each role's applyConfig (apps/{decider,dns,probe,dashboard}); until every
 * role has one, the reload reports that role under restartNeeded and the "applied" assertions fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@understudy/testkit/wait';
import { serverEnv, startReloadFixture, type ReloadFixture } from '../support/reload-fixture.js';
import { UdpProber, type ProbeStats } from '../support/udp-prober.js';
import { understudyOnce } from '../support/understudy.js';

interface CheckItem {
  id: string;
  verdict: string;
  verdictChangedAt: number | null;
}

let f: ReloadFixture;
let prober: UdpProber;
let stats: ProbeStats | null = null;
let before: Map<string, CheckItem>;
let outcome: { code: number | string; output: string };

async function checks(): Promise<Map<string, CheckItem>> {
  const res = await fetch(`${f.dashboard}/api/v1/checks?limit=500`, { signal: AbortSignal.timeout(3000) });
  const { items } = (await res.json()) as { items: CheckItem[] };
  return new Map(items.map((c) => [c.id, c]));
}

/** www.example.test added, app's TTL 5 → 7, check "extra" added (on the primary's origin), "expiring" removed. */
function changed(base: string): string {
  const primary = /primary:\n(\s+type: https\n\s+url: (\S+))/.exec(base)!;
  const withoutExpiring = base
    .replace(/ {2}expiring:\n(?: {4}.*\n)+/, '')
    .replace(/ {6}- name: cert\n[\s\S]*$/, '');
  return withoutExpiring
    .replace(
      '  primary:\n',
      `  extra:\n    type: https\n    url: ${primary[2]}\n${indentRest(base)}  primary:\n`,
    )
    .replace('        ttl: 5\n', '        ttl: 7\n')
    .replace(
      '      - { name: ns1, type: A, values: [127.0.0.1] }',
      '      - { name: ns1, type: A, values: [127.0.0.1] }\n      - { name: www, type: A, values: [192.0.2.99] }',
    )
    .replace(
      '          - { name: secondary, values: [198.51.100.10], check: secondary }',
      '          - { name: secondary, values: [198.51.100.10], check: secondary }\n          - { name: third, values: [203.0.113.77], check: extra }',
    );
}

/** The primary check's settings after its url (sni, tls, interval...), for the added check. */
function indentRest(base: string): string {
  const block = / {2}primary:\n {4}type: https\n {4}url: \S+\n((?: {4}.*\n)+)/.exec(base)!;
  return block[1]!;
}

beforeAll(async () => {
  f = await startReloadFixture();
  await waitFor(
    async () => {
      const c = await checks();
      return ['primary', 'secondary', 'expiring'].every((id) => c.get(id)?.verdict === 'up');
    },
    { timeoutMs: 30_000, what: 'every check up' },
  );
  before = await checks();
  // Steady load: three query loops, one query each every 20 ms, each with a 2 s deadline.
  prober = new UdpProber(
    [1, 2, 3].map((n) => ({ name: `loop-${n}`, port: () => f.dnsPort })),
    'app.example.test',
    { everyMs: 20, timeoutMs: 2000 },
  );
  prober.start();
  await waitFor(() => prober.stats.queries > 50, { timeoutMs: 10_000, what: 'the load to run' });
  await f.write(changed(f.base));
  outcome = await understudyOnce(['reload', '-c', f.configFile, '--reason', 'under load'], {
    env: serverEnv,
  });
}, 120_000);

afterAll(async () => {
  await prober?.stop();
  await f?.stop();
});

describe('reload under steady DNS load', () => {
  it('every role applies the new config in place', () => {
    expect(outcome.output).toContain('config reloaded');
    expect(outcome.output).not.toContain('needs a restart');
    expect(outcome.code).toBe(0);
  });

  it('serves the added record and the changed TTL', async () => {
    await waitFor(async () => (await f.answer('www.example.test')).values[0] === '192.0.2.99', {
      timeoutMs: 10_000,
      what: 'www.example.test to be served',
    });
    await waitFor(async () => (await f.answer('app.example.test')).ttl === 7, {
      timeoutMs: 10_000,
      what: 'app.example.test with TTL 7',
    });
  });

  it('starts the added check and stops the removed one', async () => {
    await waitFor(async () => (await checks()).has('extra'), { timeoutMs: 10_000, what: 'check extra' });
    expect((await checks()).has('expiring')).toBe(false);
  });

  it('keeps the verdicts of unchanged checks (same verdict, same time of change)', async () => {
    const after = await checks();
    for (const id of ['primary', 'secondary']) {
      expect(after.get(id)?.verdict, id).toBe('up');
      expect(after.get(id)?.verdictChangedAt, id).toBe(before.get(id)?.verdictChangedAt);
    }
  });

  it('refuses a broken file with its errors and keeps serving', async () => {
    await f.write(f.base.replace('quorum: "2/3"', 'quorum: "5/3"'));
    const r = await understudyOnce(['reload', '-c', f.configFile, '--reason', 'broken'], { env: serverEnv });
    expect(r.code).toBe(1);
    expect(r.output).toContain('quorum');
    const [event] = await f.events('config-reload-failed');
    expect((event?.evidence.problems as string[]).join(' ')).toContain('quorum');
  });

  it('answered every query during the reloads (0 failed)', async () => {
    stats = await prober.stop();
    expect(stats.queries).toBeGreaterThan(100);
    expect(stats.failures).toEqual([]);
    console.info(`reload-under-load: ${stats.queries} queries, ${stats.failures.length} failed`);
  });
});
