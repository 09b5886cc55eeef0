/**
 * Credentials are never printed or logged. `understudy run` (trace level), `plan`, `sync --once` and
 * `validate` get a config with a Cloudflare API token, a Route 53 secret key and an admin token, and
 * both emulators refuse the provider credentials, so every failure is logged and recorded with its
 * details. None of the secrets may appear in the output, the state and events files, the dashboard API
 * or the ops endpoint.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { startCloudflareEmulator, type CloudflareEmulator } from '../emulators/cloudflare/index.js';
import { startRoute53Emulator, type Route53Emulator } from '../emulators/route53/index.js';
import { understudy, understudyOnce } from '../support/understudy.js';

const CF_TOKEN = 'cfTok-REDACTION-7d1c5a90e3b24f68';
const R53_SECRET = 'r53Sec-REDACTION-wJalrXUtnFEMI-4e2a';
const ADMIN_TOKEN = 'adminTok-REDACTION-0b9f3c';
const SECRETS = [CF_TOKEN, R53_SECRET, ADMIN_TOKEN];
const env = { UNDERSTUDY_TEST_CF_TOKEN: CF_TOKEN, UNDERSTUDY_TEST_ADMIN_TOKEN: ADMIN_TOKEN };

/** Any secret, or a long enough piece of one (a truncated or split print), found in `text`. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const s of SECRETS) {
    for (let i = 0; i + 12 <= s.length; i += 4) {
      const piece = s.slice(i, i + 12);
      if (text.includes(piece)) found.push(piece);
    }
  }
  return found;
}

let dir: string;
let r53: Route53Emulator;
let cf: CloudflareEmulator;
let configFile: string;
let stateFile: string;
let dashboard: string;
let ops: string;
let app: Child | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-redaction-'));
  // Both refuse our credentials: the failures carry the API's own error details.
  r53 = await startRoute53Emulator({
    zones: [{ name: 'example.test', id: 'ZREDACT' }],
    validAccessKeyIds: ['AKIDSOMEONEELSE'],
  });
  cf = await startCloudflareEmulator({ zones: [{ name: 'example.test' }], tokens: ['someone-elses-token'] });
  stateFile = join(dir, 'state.json');
  const dashboardPort = await freePort('127.0.0.1', 'tcp');
  const httpPort = await freePort('127.0.0.1', 'tcp');
  dashboard = `http://127.0.0.1:${dashboardPort}`;
  ops = `http://127.0.0.1:${httpPort}`;
  configFile = join(dir, 'understudy.yaml');
  await writeFile(
    configFile,
    `regions: [us-east]
listen:
  dns: ["127.0.0.1:${await freePort('127.0.0.1', 'both')}"]
  http: "127.0.0.1:${httpPort}"
  dashboard: "127.0.0.1:${dashboardPort}"
dns: { workers: 1 }
state: { file: ${stateFile} }
logging: { level: debug }
admin:
  tokens:
    - { name: oncall, token: "\${UNDERSTUDY_TEST_ADMIN_TOKEN}" }
sync: { reconcileInterval: 1s }
checks: {}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - { name: app, type: A, answers: [{ name: primary, values: [192.0.2.10] }] }
targets:
  - name: r53-leak
    type: route53
    endpoint: ${r53.url}
    accessKeyId: AKIDREDACTIONTEST
    secretAccessKey: ${R53_SECRET}
    pollInterval: 100ms
    zones: [{ apex: example.test, id: ZREDACT }]
  - name: cf-leak
    type: cloudflare
    endpoint: ${cf.url}
    apiToken: "\${UNDERSTUDY_TEST_CF_TOKEN}"
    zones: [{ apex: example.test }]
`,
  );
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([r53?.close(), cf?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('credential redaction', () => {
  it('understudy run at trace level never prints a secret, nor stores or serves one', async () => {
    app = understudy(['run', '--config', configFile, '--log-level', 'trace'], { env });
    type Target = {
      target: string;
      status: { lastError: { message: string } | null; attempts: number } | null;
    };
    const targets = await waitFor(
      async () => {
        const res = await fetch(`${dashboard}/api/v1/targets`, { signal: AbortSignal.timeout(2000) });
        const { items } = (await res.json()) as { items: Target[] };
        const failing = items.filter((t) => t.target.endsWith('-leak') && (t.status?.attempts ?? 0) >= 2);
        return failing.length === 2 ? items : null;
      },
      { timeoutMs: 30_000, what: 'both targets to fail twice' },
    ).catch((err: unknown) => {
      throw new Error(
        `${String(err)}\n--- understudy output (tail) ---\n${(app?.output() ?? '').slice(-3000)}`,
      );
    });
    expect(targets.find((t) => t.target === 'cf-leak')!.status!.lastError!.message).toContain(
      'Invalid access token',
    );
    expect(targets.find((t) => t.target === 'r53-leak')!.status!.lastError!.message).toContain(
      'route53 target "r53-leak"',
    );
    // Served: the dashboard API and the ops endpoint.
    const served: string[] = [];
    for (const url of [
      `${dashboard}/api/v1/targets`,
      `${dashboard}/api/v1/events?limit=500`,
      `${dashboard}/api/v1/status`,
      `${dashboard}/api/v1/records`,
      `${ops}/status`,
      `${ops}/metrics`,
    ]) {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      served.push(`${url}\n${await res.text()}`);
    }
    expect(leaks(served.join('\n'))).toEqual([]);
    await app.stop();
    const output = app.output();
    // The failures were logged, at the levels an operator turns on to debug exactly this.
    expect(output).toContain('"target":"cf-leak"');
    expect(output).toContain('"target":"r53-leak"');
    expect(output).toMatch(/"level":"(trace|debug)"/);
    expect(output).toContain('sync failed');
    expect(leaks(output)).toEqual([]);
    // Stored: the state file and the events file beside it.
    const files = (await readdir(dir)).filter((f) => f.startsWith('state'));
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const f of files) expect(leaks(await readFile(join(dir, f), 'utf8')), f).toEqual([]);
  });

  it('plan and sync --once at trace level name the failing targets without printing a secret', async () => {
    const plan = await understudyOnce(['plan', '--config', configFile, '--log-level', 'trace'], { env });
    expect(plan.code, plan.output).toBe(1);
    expect(plan.output).toContain('target r53-leak: ERROR route53 target "r53-leak"');
    expect(plan.output).toContain('target cf-leak: ERROR cloudflare target "cf-leak"');
    expect(leaks(plan.output)).toEqual([]);
    const sync = await understudyOnce(
      ['sync', '--once', '--json', '--config', configFile, '--log-level', 'trace'],
      {
        env,
      },
    );
    expect(sync.code, sync.output).toBe(1);
    expect(sync.output).toContain('"outcome": "failed"');
    expect(leaks(sync.output)).toEqual([]);
  });

  it('validate reports problems around credentials without echoing them', async () => {
    const bad = join(dir, 'bad.yaml');
    const text = await readFile(configFile, 'utf8');
    await writeFile(
      bad,
      text
        .replace('    accessKeyId: AKIDREDACTIONTEST\n', '')
        .replace(
          '    zones: [{ apex: example.test }]',
          '    zones: [{ apex: example.test }]\n    batchSize: 0',
        ),
    );
    for (const args of [
      ['validate', bad],
      ['validate', '--json', bad],
    ]) {
      const { code, output } = await understudyOnce(args, { env });
      expect(code, output).toBe(1);
      expect(output).toContain('secretAccessKey');
      expect(leaks(output)).toEqual([]);
    }
  });
});
