/**
 * A running `understudy run` with a dashboard, TLS origins and a config file the tests rewrite, for the
 * reload tests (issue 13 §2): the system config plus listen.dashboard.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCert } from '@understudy/origins/certs';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { systemConfig } from './system-config.js';
import { understudy } from './understudy.js';

export const ADMIN_TOKEN = 'reload-test-admin-token-42';
export const serverEnv = { UNDERSTUDY_TEST_ADMIN_TOKEN: ADMIN_TOKEN, UNDERSTUDY_TOKEN: ADMIN_TOKEN };

export interface ReloadFixture {
  dir: string;
  configFile: string;
  dnsPort: number;
  ops: string;
  dashboard: string;
  app: Child;
  /** The config the process started with. */
  base: string;
  write(yaml: string): Promise<void>;
  answer(name: string, type?: string): Promise<{ status: string; values: string[]; ttl: number | null }>;
  events(
    type: string,
  ): Promise<
    { type: string; message: string; actor?: { name: string }; evidence: Record<string, unknown> }[]
  >;
  stop(): Promise<void>;
}

export async function startReloadFixture(): Promise<ReloadFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'understudy-reload-'));
  const ca = await createCa();
  const tls = await issueCert({
    ca,
    commonName: 'localhost',
    altNames: ['localhost', '127.0.0.1'],
    days: 30,
  });
  const caFile = join(dir, 'ca.pem');
  await writeFile(caFile, ca.certPem);
  const origins: Origin[] = [];
  for (const name of ['primary', 'secondary', 'expiring']) origins.push(await startOrigin({ name, tls }));
  const dnsPort = await freePort('127.0.0.1', 'both');
  const httpPort = await freePort('127.0.0.1', 'tcp');
  const dashPort = await freePort('127.0.0.1', 'tcp');
  const base = systemConfig({
    dnsPort,
    httpPort,
    stateFile: join(dir, 'state.json'),
    caFile,
    primaryUrl: origins[0]!.url,
    secondaryUrl: origins[1]!.url,
    expiringUrl: origins[2]!.url,
    // Generous for a loaded 2-core machine: a slow TLS handshake must not flip a verdict mid-test.
    interval: '1s',
    timeout: '900ms',
    fall: 3,
    rise: 2,
    failbackAfter: '2s',
  }).replace(
    `  http: "127.0.0.1:${httpPort}"`,
    `  http: "127.0.0.1:${httpPort}"\n  dashboard: "127.0.0.1:${dashPort}"`,
  );
  const configFile = join(dir, 'understudy.yaml');
  await writeFile(configFile, base);
  const app = understudy(['run', '--config', configFile], { env: serverEnv });
  const dashboard = `http://127.0.0.1:${dashPort}`;
  const answer = async (name: string, type = 'A') => {
    const r = await dig({ server: '127.0.0.1', port: dnsPort, name, type, timeoutMs: 2000 });
    const rows = r.answer.filter((a) => a.type === type);
    return { status: r.status, values: rows.map((a) => a.data), ttl: rows[0]?.ttl ?? null };
  };
  const fixture: ReloadFixture = {
    dir,
    configFile,
    dnsPort,
    ops: `http://127.0.0.1:${httpPort}`,
    dashboard,
    app,
    base,
    write: (yaml) => writeFile(configFile, yaml),
    answer,
    events: async (type) => {
      const res = await fetch(`${dashboard}/api/v1/events?type=${type}&limit=100`, {
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) throw new Error(`/api/v1/events: HTTP ${res.status}`);
      return ((await res.json()) as { items: Awaited<ReturnType<ReloadFixture['events']>> }).items;
    },
    stop: async () => {
      await app.stop();
      await Promise.all(origins.map((o) => o.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
  await waitFor(async () => (await answer('app.example.test')).values.length > 0, {
    timeoutMs: 20_000,
    what: 'understudy to answer',
  })
    .then(() =>
      waitFor(async () => (await fetch(`${fixture.ops}/readyz`).catch(() => null))?.status === 200, {
        timeoutMs: 20_000,
        what: 'understudy to be ready (every role started)',
      }),
    )
    .catch(async (err: unknown) => {
      const output = app.output();
      await fixture.stop();
      throw new Error(`${String(err)}\n--- understudy output ---\n${output}`);
    });
  return fixture;
}

/** The config with one more static record, one more check and a failover record that uses it. */
export function withAddedRecord(yaml: string): string {
  return yaml.replace(
    '      - { name: ns1, type: A, values: [127.0.0.1] }',
    '      - { name: ns1, type: A, values: [127.0.0.1] }\n      - { name: www, type: A, values: [192.0.2.99] }',
  );
}

/** Two problems at once: a quorum larger than the regions, and a failover answer naming no check. */
export function broken(yaml: string): string {
  return yaml.replace('quorum: "2/3"', 'quorum: "5/3"').replace('check: secondary }', 'check: nosuch }');
}
