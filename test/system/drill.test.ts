/**
 * `understudy drill` against a running instance (the demo's three regions and checks, with the
 * dashboard API and an admin token): the report has timings for the built-in DNS target, and the
 * record serves PRIMARY again afterwards. Needs the lead's wiring of the drill API routes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryUdp } from '@understudy/dns-server';
import { localhostTls } from '@understudy/origins/certs';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { systemConfig } from '../support/system-config.js';
import { understudy, understudyOnce } from '../support/understudy.js';

const TOKEN = 'drill-test-admin-token-0042';
const env = { UNDERSTUDY_TEST_ADMIN_TOKEN: TOKEN };

let dir: string;
let dnsPort: number;
let dashboard: string;
let origins: Origin[] = [];
let app: Child | undefined;
const appA = async (): Promise<string> =>
  (await queryUdp({ host: '127.0.0.1', port: dnsPort }, 'app.example.test.', 'A', 2000)).join(',');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-drill-'));
  const { tls, caFile } = await localhostTls(dir);
  origins = await Promise.all(['primary', 'secondary', 'expiring'].map((name) => startOrigin({ name, tls })));
  dnsPort = await freePort('127.0.0.1', 'both');
  const dashPort = await freePort('127.0.0.1', 'tcp');
  dashboard = `http://127.0.0.1:${dashPort}`;
  const config = systemConfig({
    dnsPort,
    httpPort: await freePort('127.0.0.1', 'tcp'),
    stateFile: join(dir, 'state.json'),
    caFile,
    primaryUrl: origins[0]!.url,
    secondaryUrl: origins[1]!.url,
    expiringUrl: origins[2]!.url,
    interval: '1s',
    timeout: '500ms',
    fall: 2,
    rise: 2,
    failbackAfter: '30s',
  }).replace('listen:\n', `listen:\n  dashboard: "127.0.0.1:${dashPort}"\n`);
  const configFile = join(dir, 'understudy.yaml');
  await writeFile(configFile, config);
  app = understudy(['run', '--config', configFile], { env });
  await waitFor(async () => (await appA()) === '192.0.2.10', {
    timeoutMs: 20_000,
    what: 'PRIMARY served',
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
  });
  await waitFor(() => origins[1]!.requests > 3, { timeoutMs: 10_000, what: 'checks to run' });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all(origins.map((o) => o.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('understudy drill', () => {
  it('times the built-in DNS servers switching and restoring, and exits 0', async () => {
    const args = ['drill', '--url', dashboard, '--record', 'app.example.test', '--reason', 'system test'];
    const { code, output } = await understudyOnce([...args, '--token', TOKEN, '--json']);
    expect(output).not.toContain('Error');
    expect(code, output).toBe(0);
    const report = JSON.parse(output.slice(output.indexOf('{'))) as {
      status: string;
      from: string[];
      to: string[];
      overrideAt: number;
      restoreAt: number;
      targets: { target: string; instance?: string; servedNewAt: number | null; restoredAt: number | null }[];
    };
    expect(report.status).toBe('done');
    expect(report.from).toEqual(['192.0.2.10']);
    expect(report.to).toEqual(['198.51.100.10']);
    const dns = report.targets.filter((t) => t.target === 'dns');
    expect(dns.map((t) => t.instance).sort()).toEqual([`127.0.0.1:${dnsPort}`, `[::1]:${dnsPort}`]);
    for (const t of dns) {
      expect(t.servedNewAt! - report.overrideAt).toBeGreaterThanOrEqual(0);
      expect(t.servedNewAt! - report.overrideAt).toBeLessThan(5000);
      expect(t.restoredAt).not.toBeNull();
      expect(t.restoredAt! - report.restoreAt).toBeGreaterThanOrEqual(0);
      expect(t.restoredAt! - report.restoreAt).toBeLessThan(5000);
    }
    expect(await appA()).toBe('192.0.2.10');
  });

  it('refuses without a token and names an unknown record', async () => {
    const noToken = await understudyOnce(
      ['drill', '--url', dashboard, '--record', 'app.example.test', '--reason', 'x'],
      {
        env: { UNDERSTUDY_TOKEN: '' },
      },
    );
    expect(noToken.code).toBe(2);
    const unknown = await understudyOnce([
      'drill',
      '--url',
      dashboard,
      '--record',
      'nope.example.test',
      '--reason',
      'x',
      '--token',
      TOKEN,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.output).toContain('nope.example.test');
  });
});
