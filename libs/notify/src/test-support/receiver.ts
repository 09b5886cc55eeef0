/**
 * A real HTTP webhook receiver on 127.0.0.1:0 that records requests and answers as scripted. With `verify`
 * it is also a receiver as docs/webhooks.md describes one: it refuses (401) a delivery whose signature is
 * wrong or whose timestamp is out of tolerance, and drops a duplicate by the dedupe key in the signed body.
 */
import http from 'node:http';
import { DeliveryDedupe } from '../dedupe.js';
import { verifyDelivery } from '../signature.js';

export interface Received {
  body: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

/** Returns the status to answer with, or 'hang' to never answer. */
export type Script = (
  n: number,
  body: string,
) => number | 'hang' | { status: number; headers: Record<string, string> };

export interface VerifyOptions {
  secret: string;
  toleranceMs?: number;
  now?: () => number;
}

export interface Receiver {
  url: string;
  /** With `verify`: only the deliveries handled (signed, in time, first of their key). */
  received: Received[];
  /** With `verify`: the refused deliveries and why. */
  refused: (Received & { reason: string })[];
  duplicates: Received[];
  close(): Promise<void>;
}

export async function startReceiver(script: Script = () => 204, verify?: VerifyOptions): Promise<Receiver> {
  const received: Received[] = [];
  const refused: Receiver['refused'] = [];
  const duplicates: Received[] = [];
  const dedupe = new DeliveryDedupe();
  const hanging: http.ServerResponse[] = [];
  /** Null: handle it. Otherwise the status that answers it. */
  const screen = (r: Received): number | null => {
    if (!verify) return null;
    const now = verify.now?.() ?? Date.now();
    const v = verifyDelivery({
      body: r.body,
      secret: verify.secret,
      signature: r.headers['x-understudy-signature'],
      timestamp: r.headers['x-understudy-timestamp'],
      now,
      ...(verify.toleranceMs === undefined ? {} : { toleranceMs: verify.toleranceMs }),
    });
    if (!v.ok) {
      refused.push({ ...r, reason: v.reason });
      return 401;
    }
    const key = (JSON.parse(r.body) as { dedupeKey: string }).dedupeKey;
    if (dedupe.firstSeen(key, now)) return null;
    duplicates.push(r);
    return 204;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      const r = { body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: Date.now() };
      const screened = screen(r);
      if (screened !== null) return void res.writeHead(screened).end();
      received.push(r);
      const answer = script(received.length, r.body);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
      res.writeHead(status, headers).end();
    });
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    refused,
    duplicates,
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
