/** One HTTP/1.1 request on a connection we opened ourselves, parsed by Node's HTTP parser (llhttp). */
import { request } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { HttpCheckConfig } from '@understudy/core';
import type { RunContext } from './run-context.js';
import type { HttpTarget } from './target.js';

export const USER_AGENT = 'Understudy-Probe/0.1';

function ignore(): void {}

export function requestHeaders(check: HttpCheckConfig, target: HttpTarget): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { 'user-agent': USER_AGENT };
  // Lower-cased keys so a configured "User-Agent" replaces ours instead of being sent twice.
  for (const [name, value] of Object.entries(check.headers)) headers[name.toLowerCase()] = value;
  headers.host = target.hostHeader;
  return headers;
}

/**
 * Sends the request and resolves at the response headers.
 * `firstByte` is measured from the moment the request is handed to the socket (after connect and TLS)
 * until the response headers are parsed, so it is the origin's own think time plus one round trip and
 * does not repeat the connect/TLS phases.
 */
export async function sendRequest(
  ctx: RunContext,
  socket: Socket,
  check: HttpCheckConfig,
  target: HttpTarget,
): Promise<IncomingMessage> {
  ctx.enter('request');
  const req = ctx.track(
    request({
      // No agent: the connection is ours, used once, and closed ("Connection: close").
      createConnection: () => socket,
      method: check.method,
      path: check.path,
      headers: requestHeaders(check, target),
      setHost: false,
    }),
  );
  req.on('error', ignore);
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
  ctx.record('firstByte');
  ctx.track(res);
  res.on('error', ignore);
  return res;
}

/** Reads at most maxBytes of the body; stops early (and drops the rest) once the cap is reached. */
export function readBody(res: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const lost = (err?: Error) => {
      if (settled) return;
      settled = true;
      const cause = err ?? new Error('connection closed before the body was complete');
      reject(Object.assign(cause, { code: (cause as NodeJS.ErrnoException).code ?? 'ECONNRESET' }));
    };
    if (maxBytes <= 0) {
      finish();
      return;
    }
    res.on('data', (chunk: Buffer) => {
      const room = maxBytes - size;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      size += Math.min(chunk.length, room);
      if (size >= maxBytes) finish();
    });
    res.once('end', finish);
    res.once('error', lost);
    // 'close' without 'end' means the peer went away mid-body (reset, or a short Content-Length).
    res.once('close', () => lost());
  });
}
