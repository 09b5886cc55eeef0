/** The README's promise: the demo flips on `demo fail primary` and comes back on `demo restore primary`. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dig } from '@understudy/testkit/dig';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy, understudyOnce } from '../support/understudy.js';

let dir: string;
let demo: Child;
let dnsPort: number;
let control: string;

/** The operator token the demo printed (in its `demo fail` command line). */
function token(): string {
  const m = /understudy demo fail primary(?: --control \S+)? --token (\S+)/.exec(demo.output());
  if (!m) throw new Error(`no --token in the demo's banner:\n${demo.output()}`);
  return m[1]!;
}

async function appA(): Promise<string> {
  const r = await dig({
    server: '127.0.0.1',
    port: dnsPort,
    name: 'app.example.test',
    type: 'A',
    timeoutMs: 2000,
  });
  return r.answer.map((a) => a.data).join(',');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-demo-test-'));
  dnsPort = await freePort('127.0.0.1', 'both');
  control = `127.0.0.1:${await freePort('127.0.0.1', 'tcp')}`;
  const http = `127.0.0.1:${await freePort('127.0.0.1', 'tcp')}`;
  demo = understudy([
    'demo',
    '--dns',
    `127.0.0.1:${dnsPort}`,
    '--http',
    http,
    '--control',
    control,
    '--dir',
    dir,
  ]);
  await waitFor(() => demo.output().includes('Understudy demo is running'), {
    timeoutMs: 30_000,
    what: 'the demo banner',
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}\n${demo.output()}`);
  });
});

afterAll(async () => {
  expect(await demo.stop()).toBe(0);
  await rm(dir, { recursive: true, force: true });
});

describe('understudy demo', () => {
  it('prints how to query it and how to fail and restore the primary', () => {
    const out = demo.output();
    expect(out).toContain(`dig @127.0.0.1 -p ${dnsPort} app.example.test A`);
    expect(out).toContain('understudy demo fail primary');
    expect(out).toContain('understudy demo restore primary');
    expect(token()).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  });

  it('refuses to fail an origin without the operator token, or with a wrong one', async () => {
    const none = await understudyOnce(['demo', 'fail', 'primary', '--control', control], {
      env: { UNDERSTUDY_DEMO_TOKEN: '' },
    });
    expect(none.code).toBe(1);
    expect(none.output).toContain('--token');
    const wrong = await understudyOnce([
      'demo',
      'fail',
      'primary',
      '--control',
      control,
      '--token',
      'not-the-demo-token-0123',
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.output).toContain('token not accepted');
    const res = await fetch(`http://${control}/origins/primary/fail`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await appA()).toBe('192.0.2.10');
  });

  it('answers PRIMARY, flips to SECONDARY after `demo fail primary`, and back after `demo restore primary`', async () => {
    await waitFor(async () => (await appA()) === '192.0.2.10', { timeoutMs: 15_000, what: 'PRIMARY' });
    const failed = await understudyOnce([
      'demo',
      'fail',
      'primary',
      '--control',
      control,
      '--token',
      token(),
    ]);
    expect(failed.code).toBe(0);
    expect(failed.output).toContain('primary is now down');
    await waitFor(async () => (await appA()) === '198.51.100.10', { timeoutMs: 15_000, what: 'SECONDARY' });
    // The token may come from the environment too.
    const restored = await understudyOnce(['demo', 'restore', 'primary', '--control', control], {
      env: { UNDERSTUDY_DEMO_TOKEN: token() },
    });
    expect(restored.code).toBe(0);
    // failbackAfter is 30 s in the demo config.
    await waitFor(async () => (await appA()) === '192.0.2.10', {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'failback to PRIMARY',
    });
  });

  it('rejects an unknown origin with a clear message', async () => {
    const { code, output } = await understudyOnce([
      'demo',
      'fail',
      'tertiary',
      '--control',
      control,
      '--token',
      token(),
    ]);
    expect(code).toBe(1);
    expect(output).toContain('unknown request; origins: primary, secondary');
  });
});
