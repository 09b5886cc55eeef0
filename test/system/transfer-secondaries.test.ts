/**
 * Issue 15 with real secondaries: `understudy run` (embedded) as a hidden primary for NSD and Knot on
 * loopback ports, TSIG on every transfer and NOTIFY. A failover decided by Understudy reaches both via
 * NOTIFY + IXFR; a secondary that was down catches up; a wrong key and a missing one are refused.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueCert } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { startKnot, startNsd, type Secondary, type SecondarySpec } from '../support/secondaries.js';
import { systemConfig } from '../support/system-config.js';
import { understudy, understudyOnce } from '../support/understudy.js';

const SECRET = Buffer.from('issue-15-transfer-tsig-secret-32').toString('base64');
const WRONG = Buffer.from('a-wrong-secret-of-the-same-size!').toString('base64');
const ZONE = 'example.test.';

let dir: string;
let dnsPort: number;
let httpPort: number;
let dashPort: number;
let primary: Origin;
let secondaryOrigin: Origin;
let app: Child | undefined;
let nsd: Secondary;
let knot: Secondary;
let spec: (port: number) => SecondarySpec;

async function appAnswer(port: number): Promise<string> {
  try {
    const r = await dig({ server: '127.0.0.1', port, name: 'app.example.test', type: 'A', timeoutMs: 1000 });
    return r.answer.map((a) => a.data).join(',');
  } catch {
    return '';
  }
}

async function until(port: number, want: string, what: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(async () => (await appAnswer(port)) === want, { timeoutMs, intervalMs: 100, what }).catch(
    (err: unknown) => {
      throw new Error(
        `${String(err)}\n--- understudy ---\n${app?.output().slice(-4000) ?? ''}\n--- nsd ---\n${nsd?.child.output().slice(-2000)}\n--- knot ---\n${knot?.child.output().slice(-2000)}`,
      );
    },
  );
}

function digAxfr(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(
      'dig',
      ['-r', '@127.0.0.1', '-p', String(dnsPort), ZONE, 'AXFR', '+tries=1', '+time=3', ...args],
      { timeout: 10_000 },
      (_e, out) => resolve(out),
    );
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-xfr-'));
  const ca = await createCa();
  const tls = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 30,
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  primary = await startOrigin({ name: 'primary', tls });
  secondaryOrigin = await startOrigin({ name: 'secondary', tls });
  dnsPort = await freePort('127.0.0.1', 'both');
  httpPort = await freePort('127.0.0.1', 'tcp');
  dashPort = await freePort('127.0.0.1', 'tcp');
  const [nsdPort, knotPort] = [await freePort('127.0.0.1', 'both'), await freePort('127.0.0.1', 'both')];
  const configFile = join(dir, 'understudy.yaml');
  const base = systemConfig({
    dnsPort,
    httpPort,
    stateFile: join(dir, 'state.json'),
    caFile,
    primaryUrl: primary.url,
    secondaryUrl: secondaryOrigin.url,
    expiringUrl: primary.url,
    interval: '500ms',
    timeout: '400ms',
    fall: 2,
    rise: 2,
    failbackAfter: '60s',
  }).replace(
    `  http: "127.0.0.1:${httpPort}"\n`,
    `  http: "127.0.0.1:${httpPort}"\n  dashboard: "127.0.0.1:${dashPort}"\n`,
  );
  expect(base).toContain(`dashboard: "127.0.0.1:${dashPort}"`);
  await writeFile(
    configFile,
    `${base}dns:
  transfer:
    keys: [{ name: xfr-key, secret: "\${XFR_TSIG_SECRET}" }]
    allow: [{ network: 127.0.0.0/8, key: xfr-key }]
    notify:
      - { address: "127.0.0.1:${nsdPort}", key: xfr-key }
      - { address: "127.0.0.1:${knotPort}", key: xfr-key }
    notifyRetry: 200ms
    notifyRetryMax: 2s
`,
  );
  spec = (port) => ({ dir, port, zone: ZONE, primaryPort: dnsPort, keyName: 'xfr-key', secret: SECRET });
  app = understudy(['run', '--config', configFile], {
    env: { XFR_TSIG_SECRET: SECRET, UNDERSTUDY_TEST_ADMIN_TOKEN: 'x'.repeat(20) },
  });
  await until(dnsPort, '192.0.2.10', 'understudy to answer');
  nsd = await startNsd(spec(nsdPort));
  knot = await startKnot(spec(knotPort));
}, 60_000);

afterAll(async () => {
  await Promise.all([app?.stop(), nsd?.child.stop(), knot?.child.stop()]);
  await Promise.all([primary?.stop(), secondaryOrigin?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('hidden primary for NSD and Knot', () => {
  it('both secondaries load the zone over TSIG-signed AXFR', async () => {
    await until(nsd.port, '192.0.2.10', 'NSD to serve the zone');
    await until(knot.port, '192.0.2.10', 'Knot to serve the zone');
  });

  it('a failover reaches both via NOTIFY and IXFR; a secondary that was down catches up', async () => {
    await knot.child.stop();
    await primary.setMode('down');
    await until(dnsPort, '198.51.100.10', 'understudy to fail over');
    await until(nsd.port, '198.51.100.10', 'NSD to follow the failover');
    // NSD asked for the difference only, with the serial it had.
    expect(app!.output()).toMatch(/"type":"IXFR","serial":\d+,"clientSerial":\d+/);
    // Knot was down for the NOTIFY: the retries (backoff capped at notifyRetryMax) reach it once it is back.
    knot = await startKnot(spec(knot.port));
    await until(knot.port, '198.51.100.10', 'Knot to catch up after its restart');
    // With both up, the next decision (every answer down → the fallback) reaches both within seconds, far
    // inside the SOA refresh (1 h): only a NOTIFY explains that. Knot logs that it took an IXFR.
    await secondaryOrigin.setMode('down');
    await until(dnsPort, '203.0.113.10', 'understudy to use the fallback');
    await until(nsd.port, '203.0.113.10', 'NSD to follow by NOTIFY', 10_000);
    await until(knot.port, '203.0.113.10', 'Knot to follow by NOTIFY', 10_000);
    expect(knot.child.output()).toMatch(/IXFR, incoming/i);
  }, 60_000);

  it('shows each secondary as a target: the serial its SOA answers, publishedAt and effectiveBy', async () => {
    const targets = [`secondary:127.0.0.1:${nsd.port}`, `secondary:127.0.0.1:${knot.port}`];
    interface Status {
      serial: number;
      records: {
        id: string;
        ttl: number;
        switchedAt: number;
        publishedAt: Record<string, number>;
        effectiveBy: Record<string, number>;
      }[];
      secondaries: { target: string; serial: number | null; seenAt: number | null }[];
    }
    // The last decision (the fallback) is published to both secondaries once each answers its serial.
    const view = await waitFor(
      async () => {
        const v = (await (await fetch(`http://127.0.0.1:${httpPort}/status`)).json()) as Status;
        const app = v.records.find((r) => r.id === 'app.example.test./A')!;
        const done =
          targets.every((t) => app.publishedAt[t] !== undefined) &&
          v.secondaries.every((x) => x.serial === v.serial);
        return done ? { v, app } : null;
      },
      { timeoutMs: 30_000, intervalMs: 200, what: 'both secondaries published in /status' },
    );
    expect(view.v.secondaries.map((x) => x.target).sort()).toEqual([...targets].sort());
    for (const t of targets) {
      const at = view.app.publishedAt[t]!;
      expect(at).toBeGreaterThanOrEqual(view.app.switchedAt);
      expect(view.app.effectiveBy[t]).toBe(at + view.app.ttl * 1000);
    }
    // `understudy status` prints them, with the serial each one serves.
    const configFile = join(dir, 'understudy.yaml');
    const { code, output } = await understudyOnce(['status', '--config', configFile], {
      env: { XFR_TSIG_SECRET: SECRET, UNDERSTUDY_TEST_ADMIN_TOKEN: 'x'.repeat(20) },
    });
    expect(code, output).toBe(0);
    for (const port of [nsd.port, knot.port])
      expect(output).toMatch(
        new RegExp(`127\\.0\\.0\\.1:${port}\\s+${view.v.serial}\\s+\\S+Z \\(\\d+s ago\\)`),
      );
    // The dashboard's API lists them as targets (its view is rebuilt on its own poll: waited for).
    type Targets = { items: { target: string; type: string; instances: { serial: number }[] }[] };
    await waitFor(
      async () => {
        const api = (await (await fetch(`http://127.0.0.1:${dashPort}/api/v1/targets`)).json()) as Targets;
        return targets.every((t) => {
          const item = api.items.find((i) => i.target === t);
          return item?.type === 'secondary' && item.instances[0]?.serial === view.v.serial;
        });
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'both secondaries in /api/v1/targets' },
    );
  }, 60_000);

  it('refuses AXFR without the key, and a wrong key with BADSIG, and logs it', async () => {
    expect(await digAxfr([])).toMatch(/Transfer failed/);
    const bad = await digAxfr(['-y', `hmac-sha256:xfr-key:${WRONG}`]);
    expect(bad).not.toMatch(/\tSOA\t/);
    await waitFor(() => /"tsigError":16.*zone transfer refused/.test(app!.output()), {
      timeoutMs: 5000,
      what: 'the BADSIG log line',
    });
    const good = await digAxfr(['-y', `hmac-sha256:xfr-key:${SECRET}`]);
    expect(good.match(/\tSOA\t/g)).toHaveLength(2);
  });

  it('counts transfers, NOTIFYs and the serials the secondaries held in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(text).toMatch(/understudy_dns_transfers_total\{type="IXFR",result="ok"\} [1-9]/);
    expect(text).toMatch(/understudy_dns_transfers_total\{type="AXFR",result="NOTAUTH"\} [1-9]/);
    expect(text).toMatch(/understudy_dns_transfers_total\{type="AXFR",result="REFUSED"\} [1-9]/);
    expect(text).toMatch(/understudy_dns_notifies_acked_total\{secondary="127\.0\.0\.1:\d+"\} [1-9]/);
    expect(text).toMatch(/understudy_dns_secondary_serial\{secondary="127\.0\.0\.1"\} \d{9,}/);
  });
});
