/**
 * The dashboard app: /api/v1 (reads, SSE, mutations, OpenAPI) and the built web UI, on Fastify.
 */
import type { Clock, Logger, UnderstudyConfig } from '@understudy/core';
import Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorHandler, HttpError } from './errors.js';
import { openapiDocument, routeDoc, type RouteDoc } from './openapi.js';
import { registerActionRoutes } from './routes-actions.js';
import { registerReadRoutes } from './routes-read.js';
import * as S from './schemas.js';
import { SECURITY_HEADERS, securityHeaders, TokenGate } from './security.js';
import { registerStatic } from './static-files.js';
import { StreamHub } from './stream-hub.js';
import type { DashboardActions, DashboardSource } from './types.js';

export interface DashboardServerOptions {
  /** Port 0 picks a free port. */
  listen: { host: string; port: number };
  config: UnderstudyConfig;
  configHash: string;
  source: DashboardSource;
  actions: DashboardActions;
  logger: Logger;
  /** Directory of the built UI (index.html + assets); null serves a small "UI not built" page at /. */
  webRoot: string | null;
  version: string;
  clock?: Clock;
  /** SSE coalescing gap; default 500 ms (≤ 4 messages/s). */
  streamGapMs?: number;
}

export interface DashboardServer {
  address: { host: string; port: number };
  url: string;
  /** The API routes as registered (method + Fastify path), for the OpenAPI test. */
  routes(): { method: string; url: string }[];
  /** SSE messages sent since start (each counted once, whatever the number of clients). */
  streamMessages(): number;
  close(): Promise<void>;
}

export const BODY_LIMIT = 16 * 1024;

export async function createDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const logger = opts.logger.child({ component: 'dashboard' });
  const now = () => (opts.clock ?? { now: () => Date.now() }).now();
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 300, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false } },
    connectionTimeout: 0,
    requestTimeout: 30_000,
  });
  const gate = new TokenGate(opts.config.admin.tokens, now);
  const hub = new StreamHub({
    logger,
    ...(opts.streamGapMs !== undefined ? { minGapMs: opts.streamGapMs } : {}),
  });
  const docs: RouteDoc[] = [];
  let openapi: object | null = null;

  // JSON only: a text/plain body would reach validation as a string and get a confusing message.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('actorName', '');
  app.addHook('onRoute', (r) => {
    const doc = routeDoc(r);
    if (doc) docs.push(doc);
  });
  app.addHook('onRequest', securityHeaders);
  if (opts.config.dashboard.readAuth) {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      // The page itself loads without a token (it asks for one); every API read needs it.
      const read = req.method === 'GET' || req.method === 'HEAD';
      if (read && req.url.startsWith('/api/') && !req.url.startsWith('/api/v1/openapi.json'))
        gate.authenticate(req, reply);
      return Promise.resolve();
    });
  }
  app.addHook('preClose', (done) => {
    hub.close();
    done();
  });
  app.setErrorHandler(errorHandler(logger));
  app.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?', 1)[0]!;
    return reply.code(404).send({ error: 'not_found', message: `no route ${req.method} ${path}` });
  });

  const deps = { config: opts.config, source: opts.source, now };
  registerReadRoutes(app, { ...deps, configHash: opts.configHash, version: opts.version });
  registerActionRoutes(app, { ...deps, actions: opts.actions, gate });
  app.get(
    '/api/v1/stream',
    {
      config: { summary: 'Live changes (server-sent events)', auth: 'read', produces: 'text/event-stream' },
      schema: { response: { 200: { type: 'string' }, '4xx': S.errorBody } },
    },
    (req, reply) => {
      reply.hijack();
      hub.add(reply.raw, SECURITY_HEADERS);
    },
  );
  app.get(
    '/api/v1/openapi.json',
    { config: { summary: 'This document' }, schema: { response: { 200: S.openapiBody } } },
    () => Promise.resolve((openapi ??= openapiDocument(docs, opts.version, opts.config.dashboard.readAuth))),
  );
  registerStatic(app, opts.webRoot);

  const unsubscribe = opts.source.subscribe((change) => hub.push(change));
  try {
    await app.listen({ host: opts.listen.host, port: opts.listen.port });
  } catch (err) {
    unsubscribe();
    hub.close();
    await app.close();
    throw err;
  }
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string')
    throw new HttpError(500, 'internal', 'dashboard: no address');
  const host = addr.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  logger.info({ url }, 'dashboard listening');

  let closing: Promise<void> | null = null;
  return {
    address: { host, port: addr.port },
    url,
    routes: () => docs.map((d) => ({ method: d.method, url: d.url })),
    streamMessages: () => hub.messages,
    close() {
      closing ??= (async () => {
        unsubscribe();
        await app.close();
      })();
      return closing;
    },
  };
}
