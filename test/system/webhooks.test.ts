/**
 * Webhooks end to end: `understudy run` with two webhooks pointing at local receivers. A failover and a
 * failback each arrive signed (HMAC checked here with node:crypto, independently of the notifier); a
 * receiver failing its first attempts gets retries with the same dedupe key, and does not slow the
 * failover down. Needs the lead's wiring of @understudy/notify into the decider.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
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
import { understudy } from '../support/understudy.js';

const INTERVAL_MS = 1000;
const TIMEOUT_MS = 500;
const FALL = 2;
const DETECT_BUDGET_MS = INTERVAL_MS * FALL + TIMEOUT_MS + 1000;
const SECRET = 'webhook-test-secret-7f3a';
const FLAKY_FAILURES = 2;

interface Hit {
  body: string;
  headers: http.IncomingHttpHeaders;
  status: number;
}

/** A receiver on 127.0.0.1:0 answering 503 to its first `failFirst` requests. */
async function receiver(failFirst: number): Promise<{ url: string; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const status = hits.length < failFirst ? 503 : 204;
      hits.push({ body, headers: req.headers, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** The signature covers the attempt's timestamp, a dot and the body (docs/webhooks.md); the timestamp is recent. */
const signed = (h: Hit): boolean => {
  const ts = h.headers['x-understudy-timestamp'];
  if (typeof ts !== 'string' || Math.abs(Date.now() - Number(ts)) > 5 * 60_000) return false;
  return (
    h.headers['x-understudy-signature'] ===
    `sha256=${createHmac('sha256', SECRET).update(`${ts}.${h.body}`).digest('hex')}`
  );
};
const kindOf = (h: Hit): string => (JSON.parse(h.body) as { kind: string }).kind;

let dir: string;
let dnsPort: number;
let origins: Origin[] = [];
let good: Awaited<ReturnType<typeof receiver>>;
let flaky: Awaited<ReturnType<typeof receiver>>;
let app: Child | undefined;
const appA = async (): Promise<string> =>
  (await queryUdp({ host: '127.0.0.1', port: dnsPort }, 'app.example.test.', 'A', 2000)).join(',');

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'understudy-webhooks-'));
  const { tls, caFile } = await localhostTls(dir);
  origins = await Promise.all(['primary', 'secondary', 'expiring'].map((name) => startOrigin({ name, tls })));
  good = await receiver(0);
  flaky = await receiver(FLAKY_FAILURES);
  dnsPort = await freePort('127.0.0.1', 'both');
  const configFile = join(dir, 'understudy.yaml');
  const base = systemConfig({
    dnsPort,
    httpPort: await freePort('127.0.0.1', 'tcp'),
    stateFile: join(dir, 'state.json'),
    caFile,
    primaryUrl: origins[0]!.url,
    secondaryUrl: origins[1]!.url,
    expiringUrl: origins[2]!.url,
    interval: `${INTERVAL_MS}ms`,
    timeout: `${TIMEOUT_MS}ms`,
    fall: FALL,
    rise: 2,
    failbackAfter: '2s',
  });
  await writeFile(
    configFile,
    `${base}webhooks:
  - { name: ops, url: "${good.url}", format: json, secret: "${SECRET}", events: [failover, failback] }
  - { name: flaky, url: "${flaky.url}", format: json, secret: "${SECRET}", events: [failover], maxAttempts: 5, timeout: 1s }
`,
  );
  app = understudy(['run', '--config', configFile], { env: { UNDERSTUDY_TEST_ADMIN_TOKEN: 'y'.repeat(24) } });
  await waitFor(async () => (await appA()) === '192.0.2.10', {
    timeoutMs: 20_000,
    what: 'PRIMARY served',
  }).catch((err: unknown) => {
    throw new Error(`${String(err)}\n--- understudy output ---\n${app?.output() ?? ''}`);
  });
  await waitFor(() => origins[0]!.requests > 3, { timeoutMs: 10_000, what: 'checks to run' });
});

afterAll(async () => {
  await app?.stop();
  await Promise.all([...origins.map((o) => o.stop()), good?.close(), flaky?.close()]);
  await rm(dir, { recursive: true, force: true });
});

describe('webhooks', () => {
  it('fail over within the budget while a receiver fails, and deliver a signed failover notification', async () => {
    await origins[0]!.setMode('down');
    const start = Date.now();
    await waitFor(async () => (await appA()) === '198.51.100.10', {
      timeoutMs: DETECT_BUDGET_MS + 5000,
      intervalMs: 100,
      what: 'failover to SECONDARY',
    });
    expect(Date.now() - start).toBeLessThanOrEqual(DETECT_BUDGET_MS);
    const hit = await waitFor(() => good.hits.find((h) => kindOf(h) === 'failover'), {
      timeoutMs: 10_000,
      what: 'the failover notification',
    });
    expect(signed(hit)).toBe(true);
    expect(hit.headers['content-type']).toBe('application/json');
    const doc = JSON.parse(hit.body) as {
      dedupeKey: string;
      event: { type: string; record: string; from: string; to: string };
    };
    expect(doc.event).toMatchObject({
      type: 'answer-switched',
      record: 'app.example.test./A',
      from: 'primary',
      to: 'secondary',
    });
    expect(hit.headers['x-understudy-dedupe-key']).toBe(doc.dedupeKey);
    expect(doc.dedupeKey).toMatch(/^answer-switched:app\.example\.test\.\/A:\d+$/);
  });

  it('retries the failing receiver with backoff until it accepts, with one dedupe key', async () => {
    await waitFor(() => flaky.hits.some((h) => h.status === 204), {
      timeoutMs: 30_000,
      what: 'the flaky receiver to accept a retry',
    });
    const failover = flaky.hits.filter((h) => kindOf(h) === 'failover');
    expect(failover.slice(0, FLAKY_FAILURES + 1).map((h) => h.status)).toEqual([503, 503, 204]);
    expect(new Set(failover.map((h) => h.headers['x-understudy-dedupe-key'])).size).toBe(1);
    expect(failover.every(signed)).toBe(true);
  });

  it('delivers a signed failback notification once the primary is back', async () => {
    await origins[0]!.setMode('up');
    await waitFor(async () => (await appA()) === '192.0.2.10', {
      timeoutMs: 20_000,
      what: 'failback to PRIMARY',
    });
    const hit = await waitFor(() => good.hits.find((h) => kindOf(h) === 'failback'), {
      timeoutMs: 10_000,
      what: 'the failback notification',
    });
    expect(signed(hit)).toBe(true);
    expect((JSON.parse(hit.body) as { event: { to: string } }).event.to).toBe('primary');
    // The flaky hook subscribes to failover only.
    expect(flaky.hits.some((h) => kindOf(h) === 'failback')).toBe(false);
  });
});
