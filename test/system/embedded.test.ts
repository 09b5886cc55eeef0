/**
 * The walking skeleton, end to end: `understudy run` as a child process, real TLS origins, real dig.
 * Budgets come from the issue: failover within interval × fall + timeout + 1 s.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCert } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor, sleep } from '@understudy/testkit/wait';
import { systemConfig } from '../support/system-config.js';
import { understudy, understudyOnce } from '../support/understudy.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 500;
const FALL = 2;
const RISE = 2;
const FAILBACK_MS = 4000;
const DETECT_BUDGET_MS = INTERVAL_MS * FALL + TIMEOUT_MS + 1000;

let dir: string;
let configFile: string;
let dnsPort: number;
let httpPort: number;
let primary: Origin;
let secondary: Origin;
let expiring: Origin;
let app: Child | undefined;

async function answer(name = 'app.example.test', server = '127.0.0.1'): Promise<string[]> {
  const r = await dig({ server, port: dnsPort, name, type: 'A', timeoutMs: 2000 });
  expect(r.status).toBe('NOERROR');
  return r.answer.filter((a) => a.type === 'A').map((a) => a.data);
}

/** Polls dig every 100 ms; returns the ms it took until `want` was served. */
async function timeUntil(want: string, timeoutMs: number, name?: string): Promise<number> {
  const start = Date.now();
  await waitFor(async () => (await answer(name)).join(',') === want, {
    timeoutMs,
    intervalMs: 100,
    what: `${name ?? 'app.example.test'} → ${want}`,
  });
  return Date.now() - start;
}

const ADMIN_TOKEN = 'system-test-admin-token-42';
/** Commands that read the config need the server's environment, as on the host it runs on. */
const serverEnv = { UNDERSTUDY_TEST_ADMIN_TOKEN: ADMIN_TOKEN };

function start(): Child {
  app = understudy(['run', '--config', configFile], { env: serverEnv });
  return app;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-system-'));
  const ca = await createCa();
  const good = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 30,
  });
  const short = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 2,
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  primary = await startOrigin({ name: 'primary', tls: good });
  secondary = await startOrigin({ name: 'secondary', tls: good });
  expiring = await startOrigin({ name: 'expiring', tls: short });
  dnsPort = await freePort('127.0.0.1', 'both');
  httpPort = await freePort('127.0.0.1', 'tcp');
  configFile = join(dir, 'understudy.yaml');
  await writeFile(
    configFile,
    systemConfig({
      dnsPort,
      httpPort,
      stateFile: join(dir, 'state.json'),
      caFile,
      primaryUrl: primary.url,
      secondaryUrl: secondary.url,
      expiringUrl: expiring.url,
      interval: `${INTERVAL_MS}ms`,
      timeout: `${TIMEOUT_MS}ms`,
      fall: FALL,
      rise: RISE,
      failbackAfter: `${FAILBACK_MS}ms`,
    }),
  );
  start();
  await waitFor(async () => (await answer()).length > 0, {
    timeoutMs: 20_000,
    what: 'understudy to answer',
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
  });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([primary?.stop(), secondary?.stop(), expiring?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('embedded mode: health check → verdict → DNS answer', () => {
  it('serves PRIMARY while both origins are healthy, over IPv4 and IPv6', async () => {
    await waitFor(() => primary.requests > 3 && secondary.requests > 3, {
      timeoutMs: 10_000,
      what: 'checks to run',
    });
    expect(await answer()).toEqual(['192.0.2.10']);
    expect(await answer('app.example.test', '::1')).toEqual(['192.0.2.10']);
  });

  it('fails over to SECONDARY within interval × fall + timeout + 1 s of the primary dying', async () => {
    await primary.setMode('down');
    const took = await timeUntil('198.51.100.10', DETECT_BUDGET_MS + 5000);
    expect(took).toBeLessThanOrEqual(DETECT_BUDGET_MS);
  });

  it('fails back only after failbackAfter once the primary is healthy again', async () => {
    await primary.setMode('up');
    const restoredAt = Date.now();
    await sleep(FAILBACK_MS - 500);
    expect(await answer()).toEqual(['198.51.100.10']);
    await timeUntil('192.0.2.10', RISE * INTERVAL_MS + FAILBACK_MS + TIMEOUT_MS + 4000);
    expect(Date.now() - restoredAt).toBeGreaterThanOrEqual(FAILBACK_MS);
  });

  it('serves the whenAllDown fallback when both origins are down, and recovers', async () => {
    await Promise.all([primary.setMode('down'), secondary.setMode('http-503')]);
    await timeUntil('203.0.113.10', DETECT_BUDGET_MS + 5000);
    await secondary.setMode('up');
    await timeUntil('198.51.100.10', RISE * INTERVAL_MS + TIMEOUT_MS + 5000);
    await primary.setMode('up');
  });

  it('marks an origin whose certificate expires within minCertDays down, with reason cert-expiring', async () => {
    expect(await answer('cert.example.test')).toEqual(['198.51.100.20']);
    const { code, output } = await understudyOnce(['status', '--config', configFile, '--json'], {
      env: serverEnv,
    });
    expect(code).toBe(0);
    const view = JSON.parse(output) as {
      checks: { id: string; verdict: string; regions: { last: { reason?: string } | null }[] }[];
    };
    const check = view.checks.find((c) => c.id === 'expiring')!;
    expect(check.verdict).toBe('down');
    expect(check.regions.map((r) => r.last?.reason)).toEqual([
      'cert-expiring',
      'cert-expiring',
      'cert-expiring',
    ]);
    // One record only, as an operator following one name at 100,000 records asks for it.
    const one = await understudyOnce(
      ['status', '--config', configFile, '--json', '--record', 'CERT.example.test/a'],
      { env: serverEnv },
    );
    expect(one.code).toBe(0);
    const records = (JSON.parse(one.output) as { records: { id: string }[] }).records;
    expect(records.map((r) => r.id)).toEqual(['cert.example.test./A']);
  });

  it('takes an operator override through the CLI at once, audited with the token name; refuses it without a token', async () => {
    await timeUntil('192.0.2.10', RISE * INTERVAL_MS + FAILBACK_MS + 5000);
    const override = (mode: string, reason: string, token: string) =>
      understudyOnce(
        [
          'override',
          '--config',
          configFile,
          '--record',
          'app.example.test',
          '--answer',
          'primary',
          '--mode',
          mode,
          '--reason',
          reason,
          '--token',
          token,
        ],
        { env: serverEnv },
      );
    const refused = await override('down', 'drill', 'not-the-right-token-000');
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('token not accepted');
    expect(await answer()).toEqual(['192.0.2.10']);
    const done = await override('down', 'drill', ADMIN_TOKEN);
    expect(done.code).toBe(0);
    expect(done.output).toContain(
      'override-set: Override on app.example.test./A answer primary: down by oncall (drill)',
    );
    expect(done.output).toContain('answer-switched');
    expect(await answer()).toEqual(['198.51.100.10']);
    expect((await override('obey', 'drill over', ADMIN_TOKEN)).code).toBe(0);
    await timeUntil('192.0.2.10', FAILBACK_MS + 5000);
  });

  it('restarts from its state file without flapping, and stops cleanly on SIGTERM', async () => {
    await timeUntil('192.0.2.10', RISE * INTERVAL_MS + FAILBACK_MS + 5000);
    await primary.setMode('down');
    await timeUntil('198.51.100.10', DETECT_BUDGET_MS + 5000);
    await primary.setMode('up');
    expect(await app!.stop()).toBe(0);
    start();
    // The very first answer after the restart is still SECONDARY: state came back from the file.
    const first = await waitFor(async () => (await answer()).join(','), {
      timeoutMs: 20_000,
      what: 'restarted understudy to answer',
    });
    expect(first).toBe('198.51.100.10');
    await timeUntil('192.0.2.10', RISE * INTERVAL_MS + FAILBACK_MS + 5000);
  });

  it('survives kill -9 right after a failover: the restart still serves SECONDARY', async () => {
    await timeUntil('192.0.2.10', RISE * INTERVAL_MS + FAILBACK_MS + 5000);
    await primary.setMode('down');
    await timeUntil('198.51.100.10', DETECT_BUDGET_MS + 5000);
    app!.proc.kill('SIGKILL');
    await app!.exited;
    // DNS workers notice their primary is gone and exit, freeing the port.
    await waitFor(
      async () =>
        !(await answer().then(
          () => true,
          () => false,
        )),
      { timeoutMs: 10_000, what: 'the DNS workers to exit' },
    );
    start();
    const first = await waitFor(async () => (await answer()).join(','), {
      timeoutMs: 20_000,
      what: 'restarted understudy to answer',
    });
    expect(first).toBe('198.51.100.10');
    await primary.setMode('up');
  });
});
