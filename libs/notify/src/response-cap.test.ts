/** A receiver answering with a huge body: the notifier reads a capped prefix of it, never the whole. */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { waitFor } from '@understudy/testkit/wait';
import { Notifier } from './notifier.js';
import { switched } from './test-support/events.js';

const HUGE = 128 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 0x61);

interface Sent {
  written: number;
  finished: boolean;
  closed: boolean;
}

/** Answers 200 with HUGE bytes, written as fast as the client takes them. */
async function hugeAnswer(withLength: boolean) {
  const sent: Sent = { written: 0, finished: false, closed: false };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, withLength ? { 'content-length': String(HUGE) } : {});
      res.on('finish', () => (sent.finished = true));
      res.on('close', () => (sent.closed = true));
      const pump = (): void => {
        while (sent.written < HUGE && !res.destroyed) {
          sent.written += CHUNK.length;
          if (!res.write(CHUNK)) return void res.once('drain', pump);
        }
        if (sent.written >= HUGE) res.end();
      };
      pump();
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return { url: `http://127.0.0.1:${port}/hook`, sent, close };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('webhook response bodies', () => {
  for (const withLength of [true, false]) {
    it(`are not read beyond a cap (${withLength ? 'with Content-Length' : 'chunked'})`, async () => {
      const r = await hugeAnswer(withLength);
      cleanup.push(r.close);
      const outcomes: string[] = [];
      const hook: WebhookConfig = {
        name: 'huge',
        url: r.url,
        format: 'json',
        secret: null,
        events: ['failover'],
        timeout: 20_000,
        maxAttempts: 1,
      };
      const n = new Notifier({
        webhooks: [hook],
        logger: recordingLogger(),
        metrics: { webhookDeliveries: { inc: (l, n = 1) => n > 0 && outcomes.push(l.outcome) } },
      });
      cleanup.push(() => n.close());
      n.notify([switched(1, 'primary', 'secondary', 'failover')]);
      await n.idle();
      expect(outcomes).toEqual(['delivered']);
      // The notifier let go of the connection: the server never got to write the whole body.
      await waitFor(() => r.sent.closed, { timeoutMs: 10_000, what: 'the connection to close' });
      expect(r.sent.finished).toBe(false);
      expect(r.sent.written).toBeLessThan(HUGE / 2);
    });
  }
});
