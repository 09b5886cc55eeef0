/**
 * Issue 14, more kinds of health, end to end: `understudy run` as a child process, real HTTP origins, a
 * real NSD as the upstream a DNS check watches, our own DNS server checked by another, and dig.
 * - app.example.test follows a composite "at least 1 of [web-a, web-b]": one origin dying changes nothing,
 *   both dying fail it over.
 * - dnsapp.example.test follows a DNS check on NSD: stopping NSD fails it over, restarting it fails back.
 * - A DNS check expecting a value NSD does not serve is down with reason `answer`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusView } from '@understudy/core';
import { dig } from '@understudy/testkit/dig';
import { startOrigin, type Origin } from '@understudy/origins/origin';
import { freePort } from '@understudy/testkit/ports';
import type { Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { understudy, understudyOnce, waitForApp } from '../support/understudy.js';
import { startNsdAuthoritative, writeNsdAuthoritative, type UpstreamSpec } from '../support/upstream-dns.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 500;
const FALL = 2;
/** interval × fall + timeout, plus slack for a loaded 2-core machine. */
const DETECT_MS = INTERVAL_MS * FALL + TIMEOUT_MS + 10_000;

let dir: string;
let configFile: string;
let dnsPort: number;
let webA: Origin;
let webB: Origin;
let upstream: UpstreamSpec;
let nsd: Child | undefined;
let app: Child | undefined;

function config(httpPort: number): string {
  const sched = `interval: ${INTERVAL_MS}ms, timeout: ${TIMEOUT_MS}ms, fall: ${FALL}, rise: 2`;
  const nsdCheck = `type: dns, host: 127.0.0.1, port: ${upstream.port}, name: www.upstream.test, ${sched}`;
  const self = `type: dns, host: 127.0.0.1, port: ${dnsPort}, ${sched}`;
  return `regions: [us-east, eu-west, ap-south]
quorum: "2/3"
listen:
  dns: ["127.0.0.1:${dnsPort}"]
  http: "127.0.0.1:${httpPort}"
state:
  file: ${join(dir, 'state.json')}
decider:
  tickInterval: 200ms
  # Several checks go down on purpose at once here: that is the test, not a probe network failure.
  massFailureGuard: { enabled: false }
checks:
  web-a: { type: http, url: "${webA.url}/health", ${sched} }
  web-b: { type: http, url: "${webB.url}/health", ${sched} }
  either: { type: composite, children: [web-a, web-b], atLeast: 1 }
  both: { type: composite, children: [web-a, web-b], atLeast: 2 }
  not-a: { type: composite, children: [web-a], invert: true }
  upstream: { ${nsdCheck}, expectAnswers: { exact: [192.0.2.53] } }
  upstream-wrong: { ${nsdCheck}, expectAnswers: { contains: [192.0.2.99] } }
  upstream-tcp: { ${nsdCheck}, transport: tcp, recordType: TXT, expectAnswers: { exact: ['"hello" "world"'] } }
  self: { ${self}, name: ns1.example.test, expectAnswers: { exact: [127.0.0.1] } }
  self-nx: { ${self}, name: nothing.example.test, expectRcode: NXDOMAIN }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.10], check: either }
          - { name: secondary, values: [198.51.100.10] }
        failbackAfter: 2s
        flapDamping: false
      - name: dnsapp
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.30], check: upstream }
          - { name: secondary, values: [198.51.100.30] }
        failbackAfter: 2s
        flapDamping: false
`;
}

async function answer(name: string): Promise<string> {
  const r = await dig({ server: '127.0.0.1', port: dnsPort, name, type: 'A', timeoutMs: 2000 });
  return r.answer
    .filter((a) => a.type === 'A')
    .map((a) => a.data)
    .join(',');
}

async function until(name: string, want: string, timeoutMs = DETECT_MS): Promise<void> {
  await waitFor(async () => (await answer(name)) === want, {
    timeoutMs,
    intervalMs: 200,
    what: `${name} → ${want}`,
  });
}

async function status(): Promise<StatusView> {
  const { code, output } = await understudyOnce(['status', '--config', configFile, '--json']);
  expect(code, output).toBe(0);
  return JSON.parse(output) as StatusView;
}

async function verdicts(): Promise<Record<string, string>> {
  return Object.fromEntries((await status()).checks.map((c) => [c.id, c.verdict]));
}

function startNsd(): void {
  nsd = startNsdAuthoritative(upstream);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-check-kinds-'));
  webA = await startOrigin({ name: 'web-a' });
  webB = await startOrigin({ name: 'web-b' });
  upstream = {
    dir: join(dir, 'nsd'),
    port: await freePort('127.0.0.1', 'both'),
    zone: 'upstream.test',
    records: ['www IN A 192.0.2.53', 'www IN TXT "hello" "world"'],
  };
  await writeNsdAuthoritative(upstream);
  startNsd();
  await waitFor(
    async () => {
      const r = await dig({
        server: '127.0.0.1',
        port: upstream.port,
        name: 'www.upstream.test',
        timeoutMs: 1000,
      });
      return r.answer.some((a) => a.data === '192.0.2.53');
    },
    { timeoutMs: 15_000, what: 'nsd to serve upstream.test' },
  ).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- nsd ---\n${nsd?.output() ?? ''}`);
  });
  dnsPort = await freePort('127.0.0.1', 'both');
  configFile = join(dir, 'understudy.yaml');
  await writeFile(configFile, config(await freePort('127.0.0.1', 'tcp')));
  app = understudy(['run', '--config', configFile]);
  await waitForApp(app, async () => (await answer('app.example.test')) === '192.0.2.10', {
    timeoutMs: 30_000,
    what: 'understudy to answer',
  });
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await nsd?.stop();
  await Promise.all([webA?.stop(), webB?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

describe('check kinds: composite and DNS checks, end to end', () => {
  it('judges DNS checks against NSD and against our own server, and composites from their children', async () => {
    const want = {
      'web-a': 'up',
      'web-b': 'up',
      either: 'up',
      both: 'up',
      'not-a': 'down',
      upstream: 'up',
      'upstream-wrong': 'down',
      'upstream-tcp': 'up',
      self: 'up',
      'self-nx': 'up',
    };
    await waitFor(async () => JSON.stringify(await verdicts()) === JSON.stringify(want), {
      timeoutMs: DETECT_MS,
      intervalMs: 500,
      what: 'every verdict to settle',
    });
    const s = await status();
    const wrong = s.checks.find((c) => c.id === 'upstream-wrong')!;
    expect(wrong.type).toBe('dns');
    expect(wrong.target).toBe(`dns://127.0.0.1:${upstream.port}/www.upstream.test. A`);
    expect(wrong.regions[0]!.last).toMatchObject({
      ok: false,
      reason: 'answer',
      message: 'www.upstream.test. A answered [192.0.2.53], missing [192.0.2.99]',
    });
    const either = s.checks.find((c) => c.id === 'either')!;
    expect(either).toMatchObject({ type: 'composite', target: '1 of [web-a, web-b]', regions: [] });
  });

  it('keeps the primary while one child of the composite is down, fails over when both are', async () => {
    await webA.setMode('down');
    await waitFor(async () => (await verdicts()).both === 'down', {
      timeoutMs: DETECT_MS,
      what: 'both → down',
    });
    const v = await verdicts();
    expect([v['web-a'], v.either, v['not-a']]).toEqual(['down', 'up', 'up']);
    expect(await answer('app.example.test')).toBe('192.0.2.10');
    await webB.setMode('http-503');
    await until('app.example.test', '198.51.100.10');
    await Promise.all([webA.setMode('up'), webB.setMode('up')]);
    await until('app.example.test', '192.0.2.10');
  });

  it('fails over when the upstream DNS server stops answering, and back when it returns', async () => {
    expect(await answer('dnsapp.example.test')).toBe('192.0.2.30');
    await nsd!.stop();
    await until('dnsapp.example.test', '198.51.100.30');
    const s = await status();
    const reasons = s.checks.find((c) => c.id === 'upstream')!.regions.map((r) => r.last?.reason);
    expect(reasons.every((r) => r === 'connect' || r === 'timeout')).toBe(true);
    startNsd();
    await until('dnsapp.example.test', '192.0.2.30');
  });
});
