/**
 * The receiver in docs/webhooks.md, run as it is written (a real Node process), against real deliveries
 * from the Notifier: replays with an old timestamp, a tampered timestamp and a swapped dedupe header.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { freePort } from '@understudy/testkit/ports';
import { spawnChild, type Child } from '@understudy/testkit/process';
import { waitFor } from '@understudy/testkit/wait';
import { Notifier } from './notifier.js';
import { switched } from './test-support/events.js';
import { startReceiver, type Received, type Receiver } from './test-support/receiver.js';

const DOC = fileURLToPath(new URL('../../../docs/webhooks.md', import.meta.url));
const SECRET = 'documented-receiver-secret';

let dir: string;
let child: Child;
let url: string;
let capture: Receiver;
let fresh: Received;
let old: Received;

/** Delivers one event through a real Notifier whose clock is `skewMs` off, and returns what arrived. */
async function deliver(seq: number, skewMs: number): Promise<Received> {
  const hook: WebhookConfig = {
    name: 'doc',
    url: capture.url,
    format: 'json',
    secret: SECRET,
    events: ['failover'],
    timeout: 2000,
    maxAttempts: 1,
  };
  const n = new Notifier({
    webhooks: [hook],
    logger: recordingLogger(),
    clock: { now: () => Date.now() + skewMs },
  });
  n.notify([switched(seq, 'primary', 'secondary', 'failover')]);
  await n.idle();
  await n.close();
  return capture.received.at(-1)!;
}

async function post(d: Received, headers: Record<string, string> = {}, body = d.body): Promise<number> {
  const pass = ['content-type', 'x-understudy-event', 'x-understudy-dedupe-key', 'x-understudy-timestamp'];
  const h: Record<string, string> = {};
  for (const k of [...pass, 'x-understudy-signature'])
    if (typeof d.headers[k] === 'string') h[k] = d.headers[k];
  const res = await fetch(url, { method: 'POST', body, headers: { ...h, ...headers } });
  await res.arrayBuffer();
  return res.status;
}

const handled = (key: string) =>
  child
    .output()
    .split('\n')
    .filter((l) => l.startsWith(`handled ${key} `)).length;

beforeAll(async () => {
  const md = await readFile(DOC, 'utf8');
  const source = /## Verifying the signature[\s\S]*?```js\n([\s\S]*?)```/.exec(md)?.[1];
  expect(source, 'the receiver code block in docs/webhooks.md').toBeDefined();
  dir = await mkdtemp(join(tmpdir(), 'understudy-receiver-'));
  await writeFile(join(dir, 'receiver.mjs'), source!);
  const port = await freePort();
  url = `http://127.0.0.1:${port}/hook`;
  child = spawnChild(process.execPath, [join(dir, 'receiver.mjs')], {
    env: { WEBHOOK_SECRET: SECRET, PORT: String(port) },
  });
  await waitFor(
    async () =>
      fetch(url, { method: 'POST', body: '{}' }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 15_000, intervalMs: 100, what: 'the documented receiver to listen' },
  );
  capture = await startReceiver();
  fresh = await deliver(2, 0);
  old = await deliver(3, -10 * 60_000);
});

afterAll(async () => {
  await child?.stop();
  await capture?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the receiver documented in docs/webhooks.md', () => {
  it('handles a fresh delivery once, also when replayed with another dedupe key in the header', async () => {
    const key = 'answer-switched:app.example.test./A:2';
    expect(await post(fresh)).toBe(204);
    expect(await post(fresh)).toBe(204);
    expect(await post(fresh, { 'x-understudy-dedupe-key': 'answer-switched:app.example.test./A:99' })).toBe(
      204,
    );
    await waitFor(() => handled(key) > 0, { timeoutMs: 5000, what: 'the receiver to log the delivery' });
    expect(handled(key)).toBe(1);
    expect(handled('answer-switched:app.example.test./A:99')).toBe(0);
  });

  it('refuses a replayed delivery with its old timestamp', async () => {
    expect(await post(old)).toBe(401);
    expect(handled('answer-switched:app.example.test./A:3')).toBe(0);
  });

  it('refuses an old delivery whose timestamp was changed to now, and a changed body', async () => {
    expect(await post(old, { 'x-understudy-timestamp': String(Date.now()) })).toBe(401);
    expect(await post(fresh, {}, fresh.body.replace('secondary', 'primary'))).toBe(401);
    expect(handled('answer-switched:app.example.test./A:3')).toBe(0);
  });
});
