/**
 * The operations endpoint of every role: liveness, readiness, Prometheus metrics and a JSON status.
 * Small by design (node:http, four fixed paths): it listens on a private address but must still survive
 * whatever a port scanner sends, so header size, header count and request time are capped.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { DEFAULT_HTTP_SERVERS } from '@understudy/core';
import type { HttpServersConfig, ListenAddress, Logger } from '@understudy/core';
import type { Registry } from 'prom-client';
import { AdminGate, type NamedToken } from './admin-gate.js';
import {
  answerClientError,
  clientAddress,
  guardConnections,
  guardedServerOptions,
  hostAllowed,
} from './http-guard.js';

export interface Readiness {
  ready: boolean;
  detail?: Record<string, unknown>;
}

export interface OpsServerOptions {
  listen: ListenAddress;
  logger: Logger;
  registry: Registry;
  readiness: () => Readiness;
  /**
   * GET /status as JSON (may return a promise); 404 when absent. `query` is the request's query string
   * (GET /status?record=www.example.com./A, a record id as the decider writes it, asks for one record).
   */
  status?: (query: URLSearchParams) => unknown;
  /** Operator actions: POST /admin/<name> with a JSON body and a bearer token. */
  admin?: { tokens: readonly NamedToken[]; actions: readonly OpsAction[] };
  /** Connection caps, timeouts, Host allow-list, trusted proxies (config.httpServers); defaults when absent. */
  http?: HttpServersConfig;
}

export interface OpsAction {
  name: string;
  /** `actor` is the name of the token used. Returns the HTTP status and JSON body to send. */
  run(body: Record<string, unknown>, actor: string): Promise<{ status: number; body: unknown }>;
}

const MAX_ADMIN_BODY = 16 * 1024;

export interface OpsServer {
  address: { host: string; port: number };
  /** Connections open now (accepted and not yet closed). */
  connections(): number;
  /** Stops accepting, lets in-flight requests finish for up to 1 s, then drops the rest. Idempotent. */
  close(): Promise<void>;
}

const PATHS = new Set(['/healthz', '/readyz', '/metrics', '/status']);
const CLOSE_GRACE_MS = 1_000;

interface Reply {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: `${JSON.stringify(value)}\n`,
});
const text = (status: number, body: string, headers?: Record<string, string>): Reply => ({
  status,
  type: 'text/plain; charset=utf-8',
  body: `${body}\n`,
  ...(headers ? { headers } : {}),
});

function pathOf(url: string | undefined): string | null {
  if (!url?.startsWith('/')) return null;
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function queryOf(url: string | undefined): URLSearchParams {
  const q = url?.indexOf('?') ?? -1;
  return new URLSearchParams(q < 0 ? '' : url!.slice(q + 1));
}

function readinessReply(readiness: () => Readiness, logger: Logger): Reply {
  try {
    const r = readiness();
    return json(r.ready ? 200 : 503, { ready: r.ready, ...(r.detail ? { detail: r.detail } : {}) });
  } catch (err) {
    logger.warn({ err }, 'readiness check failed');
    return json(503, { ready: false, error: (err as Error).message });
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_ADMIN_BODY) {
        resolve(null);
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function adminRoute(
  req: IncomingMessage,
  path: string,
  opts: OpsServerOptions,
  gate: AdminGate,
): Promise<Reply> {
  const action = opts.admin?.actions.find((a) => `/admin/${a.name}` === path);
  if (!action) {
    req.resume();
    return json(404, {
      error: `unknown action; actions: ${opts.admin?.actions.map((a) => a.name).join(', ') ?? 'none'}`,
    });
  }
  if (req.method !== 'POST') {
    req.resume();
    return { ...json(405, { error: 'use POST' }), headers: { Allow: 'POST' } };
  }
  const client = clientAddress(req.socket.remoteAddress, req.headers, http(opts).trustedProxies);
  const auth = gate.check(req.headers.authorization, client);
  if (!auth.ok) {
    if (auth.reason === 'wrong' || auth.throttledNow)
      opts.logger.warn(
        { client, path, reason: auth.reason, status: auth.status, throttled: auth.throttledNow === true },
        'ops server: failed authentication',
      );
    req.resume();
    return {
      ...json(auth.status, { error: auth.message }),
      ...(auth.status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer' } } : {}),
    };
  }
  const raw = await readBody(req);
  if (raw === null) return json(413, { error: `body larger than ${MAX_ADMIN_BODY} bytes` });
  let body: unknown;
  try {
    body = JSON.parse(raw || '{}');
  } catch {
    return json(400, { error: 'body is not valid JSON' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return json(400, { error: 'body must be a JSON object' });
  const result = await action.run(body as Record<string, unknown>, auth.name);
  return json(result.status, result.body);
}

const http = (opts: OpsServerOptions): HttpServersConfig => opts.http ?? DEFAULT_HTTP_SERVERS;

async function route(req: IncomingMessage, opts: OpsServerOptions, gate: AdminGate): Promise<Reply> {
  const path = pathOf(req.url);
  if (path === null) return text(400, 'bad request target');
  if (!hostAllowed(req.headers.host, opts.listen.host, http(opts).allowedHosts)) {
    req.resume();
    return json(421, { error: 'this Host is not served here: add it to httpServers.allowedHosts' });
  }
  if (path.startsWith('/admin/') && opts.admin) return adminRoute(req, path, opts, gate);
  req.resume(); // no other endpoint reads a body; draining keeps keep-alive connections usable
  if (!PATHS.has(path) || (path === '/status' && !opts.status)) return text(404, 'not found');
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return text(405, 'method not allowed', { Allow: 'GET, HEAD' });
  switch (path) {
    case '/healthz':
      return text(200, 'ok');
    case '/readyz':
      return readinessReply(opts.readiness, opts.logger);
    case '/metrics':
      return { status: 200, type: opts.registry.contentType, body: await opts.registry.metrics() };
    default:
      return json(200, (await opts.status!(queryOf(req.url))) ?? null);
  }
}

function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, 'utf8');
  res.writeHead(reply.status, {
    'Content-Type': reply.type,
    'Content-Length': body.length,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function onClientError(err: NodeJS.ErrnoException, socket: Socket, logger: Logger): void {
  logger.debug({ err: { code: err.code, message: err.message } }, 'ops server: bad request');
  answerClientError(err, socket, (_status, message) => ({
    type: 'text/plain; charset=utf-8',
    text: `${message}\n`,
    headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' },
  }));
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const { logger } = opts;
  const gate = new AdminGate(opts.admin?.tokens ?? []);
  const limits = http(opts);
  const server = createServer(
    // A private endpoint: smaller headers and shorter deadlines than the dashboard's are plenty.
    {
      ...guardedServerOptions(limits),
      maxHeaderSize: 8 * 1024,
      requestTimeout: Math.min(limits.requestTimeout, 10_000),
      headersTimeout: Math.min(limits.headersTimeout, 5_000),
    },
    (req, res) => {
      route(req, opts, gate)
        .catch((err: unknown) => {
          logger.error({ err, url: req.url }, 'ops server: handler failed');
          return json(500, { error: 'internal error' });
        })
        .then((reply) => send(req, res, reply))
        .catch((err: unknown) => logger.warn({ err }, 'ops server: could not reply'));
    },
  );
  server.maxHeadersCount = 64;
  const guard = guardConnections(server, limits, logger, 'ops server');
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    onClientError(err, socket, logger),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.listen.host, port: opts.listen.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ err }, 'ops server error'));
  const info = server.address() as AddressInfo;
  logger.info({ host: info.address, port: info.port }, 'ops server listening');

  let closing: Promise<void> | null = null;
  return {
    address: { host: info.address, port: info.port },
    connections: () => guard.open,
    close() {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}
