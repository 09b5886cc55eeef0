/**
 * Provider sync end to end with the bundled CLI: `understudy run` publishes to the built-in DNS server
 * (checked with dig), Route 53 and Cloudflare (checked through the emulators' state, both in this
 * process). Three more targets are broken on purpose (a refused token, an unknown hosted zone, an endpoint
 * that is not the API): they fail by name while the good ones keep converging. Then `plan` and
 * `sync --once` refuse an unsafe plan until --force, against a zone of their own.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '@understudy/backends';
import { localhostTls } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { sleep, waitFor } from '@understudy/testkit/wait';
import {
  ADMIN_TOKEN,
  R53_OTHER_KEY,
  R53_ZONE_ID,
  ZONE,
  cfValues,
  credentialsEnv,
  notAnApi,
  r53ZoneId,
  r53Values,
  runConfig,
  startEmulators,
  targetsYaml,
  writes,
  type Emulators,
} from '../support/provider-sync.js';
import { understudy, understudyOnce } from '../support/understudy.js';

const BULK = 'bulk.test';
const APP = `app.${ZONE}`;
const API = `api.${ZONE}`;
const PRIMARY = { app: '192.0.2.10', api: '192.0.2.20' };
const SECONDARY = { app: '198.51.100.10', api: '198.51.100.20' };
/** Detection (2 × 1 s + 0.5 s) plus sync and INSYNC, with room for a loaded 2-core machine. */
const CONVERGE_MS = 30_000;

let emus: Emulators;
let notApi: Awaited<ReturnType<typeof notAnApi>>;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-provider-sync-'));
  emus = await startEmulators([ZONE, BULK]);
  notApi = await notAnApi();
});

afterAll(async () => {
  await Promise.all([emus?.close(), notApi?.close()]);
  await rm(dir, { recursive: true, force: true });
});

/** The three targets that cannot work, by kind of failure. */
const brokenTargets = (): string => `  - name: cf-badtoken
    type: cloudflare
    endpoint: ${emus.cf.url}
    apiToken: cf-token-that-the-emulator-refuses
    zones: [{ apex: ${ZONE} }]
  - name: r53-nozone
    type: route53
    endpoint: ${emus.r53.url}
    accessKeyId: ${R53_OTHER_KEY}
    secretAccessKey: other-secret
    pollInterval: 100ms
    zones: [{ apex: ${ZONE}, id: ZNOSUCHZONE }]
  - name: cf-notapi
    type: cloudflare
    endpoint: ${notApi.url}/client/v4
    apiToken: some-token
    zones: [{ apex: ${ZONE} }]
`;

describe('understudy run with dns, route53 and cloudflare targets', () => {
  let origins: Record<'appPrimary' | 'appSecondary' | 'apiPrimary' | 'apiSecondary', Origin>;
  let app: Child | undefined;
  let dnsPort: number;
  let dashboard: string;
  let configFile: string;
  /** Accepted writes of one single-record failover, measured without faults (the first test). */
  let oneFailover: ReturnType<typeof writes> | undefined;

  const served = async (name: string): Promise<string> => {
    const r = await dig({ server: '127.0.0.1', port: dnsPort, name, flags: ['+norec'], timeoutMs: 2000 });
    return r.answer.map((a) => a.data).join(',');
  };
  /** The record's value on all three targets, or a description of who disagrees. */
  const everywhere = async (name: string, value: string): Promise<true | string> => {
    const seen = {
      dns: await served(name),
      r53: r53Values(emus.r53, name)?.join(','),
      cf: cfValues(emus.cf, name)?.join(','),
    };
    const off = Object.entries(seen).filter(([, v]) => v !== value);
    return off.length === 0 ? true : JSON.stringify(seen);
  };
  const converged = (name: string, value: string, what: string, timeoutMs = CONVERGE_MS) =>
    waitFor(async () => (await everywhere(name, value)) === true, { timeoutMs, intervalMs: 100, what }).catch(
      async (err: unknown) => {
        throw new Error(
          `${String(err)}; now ${String(await everywhere(name, value).catch((e: unknown) => e))}\n--- understudy output (tail) ---\n${(app?.output() ?? '').slice(-4000)}`,
        );
      },
    );
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${dashboard}${path}`, { signal: AbortSignal.timeout(3000) });
    if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const start = (): Child => understudy(['run', '--config', configFile], { env: credentialsEnv });

  beforeAll(async () => {
    const { tls, caFile } = await localhostTls(dir);
    const names = ['appPrimary', 'appSecondary', 'apiPrimary', 'apiSecondary'] as const;
    const started = await Promise.all(names.map((name) => startOrigin({ name, tls })));
    origins = Object.fromEntries(names.map((n, i) => [n, started[i]!])) as typeof origins;
    dnsPort = await freePort('127.0.0.1', 'both');
    const dashboardPort = await freePort('127.0.0.1', 'tcp');
    dashboard = `http://127.0.0.1:${dashboardPort}`;
    configFile = join(dir, 'run.yaml');
    await writeFile(
      configFile,
      runConfig({
        dnsPort,
        httpPort: await freePort('127.0.0.1', 'tcp'),
        dashboardPort,
        stateFile: join(dir, 'run-state.json'),
        caFile,
        origins: {
          appPrimary: origins.appPrimary.url,
          appSecondary: origins.appSecondary.url,
          apiPrimary: origins.apiPrimary.url,
          apiSecondary: origins.apiSecondary.url,
        },
        r53Url: emus.r53.url,
        cfUrl: emus.cf.url,
        extra: brokenTargets(),
      }),
    );
    app = start();
    await converged(APP, PRIMARY.app, 'app on PRIMARY everywhere');
    await converged(API, PRIMARY.api, 'api on PRIMARY everywhere');
  });

  afterAll(async () => {
    await app?.stop();
    await Promise.all(Object.values(origins ?? {}).map((o) => o.stop()));
  });

  it('fail the primary origin → dns, route53 and cloudflare all serve SECONDARY, publishedAt per target', async () => {
    const before = writes(emus);
    await origins.appPrimary.setMode('down');
    await converged(APP, SECONDARY.app, 'app on SECONDARY everywhere');
    type Rec = { id: string; switchedAt: number | null; publishedAt: Record<string, number> };
    const rec = await waitFor(
      async () => {
        const r = (await api<{ items: Rec[] }>('/api/v1/records')).items.find((x) => x.id === `${APP}./A`);
        return r && r.publishedAt.r53 !== undefined && r.publishedAt.cf !== undefined ? r : null;
      },
      { timeoutMs: 10_000, what: 'publishedAt of the provider targets' },
    );
    expect(rec.switchedAt).not.toBeNull();
    expect(rec.publishedAt.r53).toBeGreaterThanOrEqual(rec.switchedAt!);
    expect(rec.publishedAt.cf).toBeGreaterThanOrEqual(rec.switchedAt!);
    // A quiet reconcile later, the writes of this failover are complete: the baseline for the storm.
    await sleep(2500);
    const after = writes(emus);
    oneFailover = {
      r53Batches: after.r53Batches - before.r53Batches,
      r53Changes: after.r53Changes - before.r53Changes,
      cfBatches: after.cfBatches - before.cfBatches,
      cfChanges: after.cfChanges - before.cfChanges,
    };
    expect(oneFailover.r53Batches).toBeGreaterThan(0);
    expect(oneFailover.cfBatches).toBeGreaterThan(0);
  });

  it('a 429/Throttling storm during a failover → every target converges, each change written once', async () => {
    expect(oneFailover, 'the baseline of the previous test').toBeDefined();
    emus.r53.resetStats();
    emus.cf.resetStats();
    emus.r53.setFaults({ throttleNext: 12, requestsPerSecond: 2 });
    emus.cf.setFaults({ fail429Next: 6, retryAfterSeconds: 1, rateLimit: { requests: 4, windowMs: 2000 } });
    try {
      await origins.apiPrimary.setMode('down');
      await converged(API, SECONDARY.api, 'api on SECONDARY everywhere through the storm', 45_000);
      // Nothing more arrives later: a retried write that went through twice, or a lost one re-applied.
      await sleep(3000);
      expect(await everywhere(API, SECONDARY.api)).toBe(true);
      expect(await everywhere(APP, SECONDARY.app)).toBe(true);
      expect(emus.r53.stats().throttled).toBeGreaterThanOrEqual(12);
      expect(emus.cf.stats().rateLimited).toBeGreaterThanOrEqual(6);
      expect(writes(emus)).toEqual(oneFailover);
    } finally {
      emus.r53.setFaults({ throttleNext: 0, requestsPerSecond: null });
      emus.cf.setFaults({ fail429Next: 0, rateLimit: null });
    }
  });

  it('drift made by hand in the emulators is repaired and reported', async () => {
    emus.r53.edit(R53_ZONE_ID, { put: [{ name: `${APP}.`, type: 'A', ttl: 60, values: ['203.0.113.66'] }] });
    const cfRecord = emus.cf.records(ZONE).find((r) => r.name === APP && r.type === 'A')!;
    emus.cf.edit(ZONE, cfRecord.id, { content: '203.0.113.67' });
    expect(r53Values(emus.r53, APP)).toEqual(['203.0.113.66']);
    expect(cfValues(emus.cf, APP)).toEqual(['203.0.113.67']);
    await converged(APP, SECONDARY.app, 'the hand edits repaired', 20_000);
    type Ev = { type: string; target?: string; message: string };
    const drift = await waitFor(
      async () => {
        const { items } = await api<{ items: Ev[] }>('/api/v1/events?type=sync-drift&limit=50');
        const targets = new Set(items.map((e) => e.target));
        return targets.has('r53') && targets.has('cf') ? items : null;
      },
      { timeoutMs: 10_000, what: 'sync-drift events for r53 and cf' },
    );
    expect(drift.find((e) => e.target === 'r53')!.message).toContain('edited outside Understudy');
  });

  it('the decider killed in the middle of an apply and restarted → the target converges', async () => {
    const calls = (): number => emus.r53.stats().calls.ChangeResourceRecordSets ?? 0;
    const before = calls();
    emus.r53.setFaults({ latencyMs: 2500 });
    try {
      await origins.appPrimary.setMode('up');
      // The failback reaches Route 53: its change request has arrived and waits out the latency.
      await waitFor(() => calls() > before, {
        timeoutMs: CONVERGE_MS,
        intervalMs: 10,
        what: 'the change request',
      });
      // So it fails when the latency is over (nothing applied), and nobody is left to retry it.
      emus.r53.setFaults({ failNext: 5 });
      app!.proc.kill('SIGKILL');
      expect(await app!.exited).toBe('SIGKILL');
      await sleep(3000);
    } finally {
      emus.r53.setFaults({ latencyMs: 0, failNext: 0 });
    }
    expect(r53Values(emus.r53, APP), 'the apply was cut off').toEqual([SECONDARY.app]);
    // The state file holds the failback the killed decider published: plan shows the missing change.
    const pending = await understudyOnce(['plan', '--config', configFile, '--target', 'r53'], {
      env: credentialsEnv,
    });
    expect(pending.output).toContain(`~ ${APP}. A 60 ${SECONDARY.app} → 60 ${PRIMARY.app}`);
    expect(pending.code, pending.output).toBe(2);
    app = start();
    await converged(APP, PRIMARY.app, 'app back on PRIMARY everywhere after the restart');
  });

  it('forcing a target from the dashboard needs a token and is audited as plan-forced with who and why', async () => {
    const force = (headers: Record<string, string>) =>
      fetch(`${dashboard}/api/v1/targets/cf/force`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ reason: 'provider-sync system test' }),
        signal: AbortSignal.timeout(30_000),
      });
    // Drift by hand first, so the forced run has something to apply.
    const served = cfValues(emus.cf, APP)!;
    const cfRecord = emus.cf.records(ZONE).find((r) => r.name === APP && r.type === 'A')!;
    emus.cf.edit(ZONE, cfRecord.id, { content: '203.0.113.68' });
    expect(cfValues(emus.cf, APP)).toEqual(['203.0.113.68']);
    const refused = await force({});
    expect(refused.status).toBe(401);
    const res = await force({ authorization: `Bearer ${ADMIN_TOKEN}` });
    expect(res.status, await res.clone().text()).toBe(200);
    const body = (await res.json()) as { results: { target: string }[] };
    expect(body.results.every((r) => r.target === 'cf')).toBe(true);
    // The forced run answers once cf holds the decided value again (the periodic reconcile may get there
    // first; either way nothing is left to apply).
    expect(cfValues(emus.cf, APP)).toEqual(served);
    type Ev = { type: string; target?: string; actor?: { name: string; reason: string } };
    const { items } = await api<{ items: Ev[] }>('/api/v1/events?type=plan-forced&limit=10');
    expect(items.find((e) => e.target === 'cf')?.actor).toEqual({
      name: 'sync-oncall',
      reason: 'provider-sync system test',
    });
  });

  it('bad credentials, an unknown zone or a non-API endpoint → an error naming the target; the others work', async () => {
    type Target = {
      target: string;
      status: { lastError: { message: string } | null; inSync: boolean } | null;
    };
    const { items } = await waitFor(
      async () => {
        const body = await api<{ items: Target[] }>('/api/v1/targets');
        const byName = new Map(body.items.map((t) => [t.target, t]));
        const ok = ['cf-badtoken', 'r53-nozone', 'cf-notapi'].every((n) => byName.get(n)?.status?.lastError);
        return ok && byName.get('r53')?.status?.inSync && byName.get('cf')?.status?.inSync ? body : null;
      },
      { timeoutMs: 15_000, what: 'target statuses' },
    );
    const error = (name: string): string => items.find((t) => t.target === name)!.status!.lastError!.message;
    expect(error('cf-badtoken')).toMatch(/cloudflare target "cf-badtoken".*Invalid access token/s);
    expect(error('r53-nozone')).toMatch(/route53 target "r53-nozone".*hosted zone not found/);
    expect(error('cf-notapi')).toContain('cloudflare target "cf-notapi"');
    const plan = await understudyOnce(['plan', '--config', configFile], { env: credentialsEnv });
    expect(plan.code, plan.output).toBe(1);
    expect(plan.output).toMatch(
      /target cf-badtoken: ERROR cloudflare target "cf-badtoken".*Invalid access token/s,
    );
    expect(plan.output).toContain(
      'target r53-nozone: ERROR route53 target "r53-nozone": hosted zone not found',
    );
    expect(plan.output).toContain('target cf-notapi: ERROR cloudflare target "cf-notapi"');
    expect(plan.output).toContain('target r53: in sync');
    expect(plan.output).toContain('target cf: in sync');
    expect(plan.output).toContain('0 to change, 2 in sync, 3 failed.');
  });
});

describe('understudy plan and sync --once', () => {
  const ten = Array.from({ length: 10 }, (_, i) => `r${i}`);
  let stateFile: string;
  const configOf = async (labels: string[], file: string): Promise<string> => {
    const path = join(dir, file);
    await writeFile(
      path,
      `regions: [us-east]
listen:
  dns: ["127.0.0.1:0"]
  http: "127.0.0.1:${await freePort('127.0.0.1', 'tcp')}"
state:
  file: ${stateFile}
checks: {}
zones:
  - apex: ${BULK}
    ns: [ns1.${BULK}]
    failover:
${labels.map((l, i) => `      - { name: ${l}, type: A, ttl: 60, answers: [{ name: primary, values: [192.0.2.${i + 1}] }] }`).join('\n')}
${targetsYaml({ r53Url: emus.r53.url, cfUrl: emus.cf.url, zones: [BULK] })}`,
    );
    return path;
  };
  const cli = (args: string[]) => understudyOnce(args, { env: credentialsEnv });
  const r53Zone = r53ZoneId(BULK);
  const counts = () => ({
    r53: emus.r53.records(r53Zone).filter((r) => r.type === 'A').length,
    cf: emus.cf.records(BULK).filter((r) => r.type === 'A').length,
  });

  it('an unsafe plan is refused without --force and applied with it', async () => {
    stateFile = join(dir, 'bulk-state.json');
    const all = await configOf(ten, 'bulk-all.yaml');
    const fewer = await configOf(ten.slice(0, 4), 'bulk-fewer.yaml');
    // A zone state in the state file, as a stopped decider leaves it.
    const store = await MemoryStateStore.open({ file: stateFile });
    const overlay = { serial: 100, epoch: 1, generatedAt: Date.now(), records: {} };
    expect(await store.writeOverlay({ kind: 'full', overlay })).toEqual({ ok: true });
    await store.close();

    const first = await cli(['plan', '--config', all]);
    expect(first.code, first.output).toBe(2);
    expect(first.output).toContain(`Plan against zone state serial 100 from ${stateFile}.`);
    expect(first.output).toMatch(/target r53: 10 changes\n/);
    expect(first.output).toMatch(/target cf: 10 changes\n/);
    expect(first.output).toContain(`+ r9.${BULK}. A 60 192.0.2.10`);

    const publish = await cli(['sync', '--once', '--config', all]);
    expect(publish.code, publish.output).toBe(0);
    expect(publish.output).toMatch(/target r53: applied 10 changes \(\d+ API calls/);
    expect(publish.output).toContain(`Target statuses saved to ${stateFile}.`);
    expect(counts()).toEqual({ r53: 10, cf: 10 });
    const saved = JSON.parse(await readFile(stateFile, 'utf8')) as {
      targets: { target: string; appliedSerial: number }[];
    };
    expect(saved.targets.map((t) => [t.target, t.appliedSerial]).sort()).toEqual([
      ['cf', 100],
      ['r53', 100],
    ]);
    expect((await cli(['plan', '--config', all])).code).toBe(0);

    const unsafe = await cli(['plan', '--config', fewer]);
    expect(unsafe.code, unsafe.output).toBe(2);
    expect(unsafe.output).toContain('target r53: 6 changes (UNSAFE: needs --force)');
    expect(unsafe.output).toContain('unsafe: r53: plan changes 6 of 10 owned records');
    const refused = await cli(['sync', '--once', '--config', fewer]);
    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toContain('target r53: REFUSED: the plan is unsafe; nothing was changed');
    expect(refused.output).toContain('target cf: REFUSED');
    expect(refused.output).toContain('understudy sync --once --force');
    expect(counts()).toEqual({ r53: 10, cf: 10 });

    const forced = await cli(['sync', '--once', '--force', '--json', '--config', fewer]);
    expect(forced.code, forced.output).toBe(0);
    const doc = JSON.parse(forced.output) as {
      targets: { target: string; outcome: string; changes: number }[];
    };
    expect(doc.targets.map((t) => [t.target, t.outcome, t.changes])).toEqual([
      ['r53', 'applied', 6],
      ['cf', 'applied', 6],
    ]);
    expect(counts()).toEqual({ r53: 4, cf: 4 });
    expect((await cli(['plan', '--config', fewer, '--target', 'cf'])).code).toBe(0);

    const continuous = await cli(['sync', '--config', fewer]);
    expect(continuous.code).toBe(1);
    expect(continuous.output).toContain('continuous provider sync runs inside the leading decider');
  });
});
