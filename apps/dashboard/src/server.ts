/**
 * The dashboard app: /api/v1 (reads, SSE, mutations, OpenAPI) and the built web UI, on Fastify.
 */
import { createServer } from 'node:http';
import { sameJson, type Clock, type Logger, type UnderstudyConfig } from '@understudy/core';
import {
  answerClientError,
  clientAddress,
  guardConnections,
  guardedServerOptions,
  type ConnectionGuard,
} from '@understudy/observability';
import Fastify from 'fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { codeOf, errorHandler, HttpError } from './errors.js';
import { openapiDocument, routeDoc, type RouteDoc } from './openapi.js';
import { registerActionRoutes, type ActionDeps } from './routes-actions.js';
import { registerReadRoutes, type ReadDeps } from './routes-read.js';
import * as S from './schemas.js';
import { hostGuard, SECURITY_HEADERS, securityHeaders, TokenGate } from './security.js';
import { registerStatic } from './static-files.js';
import { StreamHub } from './stream-hub.js';
import type { DashboardActions, DashboardSource } from './types.js';
import { systemClock } from '@understudy/system';

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
  /** Open connections and live streams now. */
  load(): { connections: number; streams: number };
  /**
   * Reload (issue 13): the routes, the status view and the admin tokens follow a new, already validated
   * config (LoadedConfig fits); resolves once the view shows it. The listen address and the HTTP server
   * limits stay until a restart.
   */
  applyConfig(loaded: { config: UnderstudyConfig; hash: string }): Promise<void>;
  close(): Promise<void>;
}

export const BODY_LIMIT = 16 * 1024;

function frameworkMessage(err: FastifyError): string {
  if (err.code === 'FST_ERR_BAD_URL') return 'the request path is not valid percent-encoding';
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'a path parameter is longer than 300 characters';
  return err.message;
}

export async function createDashboardServer(opts: DashboardServerOptions): Promise<DashboardServer> {
  const logger = opts.logger.child({ component: 'dashboard' });
  const now = () => (opts.clock ?? systemClock).now();
  const limits = opts.config.httpServers;
  let guard: ConnectionGuard | null = null;
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 300, ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false } },
    // Our own node:http server: capped connections, and every timeout destroys its socket (issue #10).
    serverFactory: (handler) => {
      const server = createServer(guardedServerOptions(limits), handler);
      guard = guardConnections(server, limits, logger, 'dashboard');
      return server;
    },
    clientErrorHandler: (err, socket) =>
      answerClientError(err, socket, (status, message) => ({
        type: 'application/json; charset=utf-8',
        text: JSON.stringify({ error: codeOf(status), message }),
        headers: { ...SECURITY_HEADERS, 'cache-control': 'no-store' },
      })),
    // Errors the router raises before any hook runs (a path that does not decode, /%ff): same shape and headers.
    frameworkErrors: (err: FastifyError, _req: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .headers({ ...SECURITY_HEADERS, 'cache-control': 'no-store' })
        .type('application/json; charset=utf-8')
        .send({ error: 'bad_request', message: frameworkMessage(err) });
    },
  });
  // Set by serverFactory during Fastify(); a getter keeps TypeScript from narrowing it to null here.
  const guardOf = (): ConnectionGuard | null => guard;
  const trusted = limits.trustedProxies;
  const gateFor = (config: UnderstudyConfig) => new TokenGate(config.admin.tokens, trusted, logger, now);
  // What a reload replaces; routes read it at request time.
  const readDeps: ReadDeps = {
    config: opts.config,
    configHash: opts.configHash,
    version: opts.version,
    source: opts.source,
    now,
  };
  const actionDeps: ActionDeps = {
    config: opts.config,
    source: opts.source,
    actions: opts.actions,
    gate: gateFor(opts.config),
  };
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
  app.addHook('onRequest', hostGuard(opts.listen.host, limits));
  {
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      // Read per request, so a reload can turn it on or off.
      if (!readDeps.config.dashboard.readAuth) return;
      // Decided by the route that matched (the router decodes the path: /%61pi/v1/status is /api/v1/status),
      // never by the raw URL. The page itself and the OpenAPI document load without a token.
      const auth = (req.routeOptions.config as { auth?: RouteDoc['auth'] } | undefined)?.auth;
      const route = req.routeOptions.url ?? '';
      // A read route, or an API route that forgot to say (closed by default); admin routes check themselves.
      const api = route.startsWith('/api/') && route !== '/api/v1/openapi.json' && auth !== 'admin';
      if (auth === 'read' || api) actionDeps.gate.authenticate(req, reply);
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

  registerReadRoutes(app, readDeps);
  registerActionRoutes(app, actionDeps);
  app.get(
    '/api/v1/stream',
    {
      config: { summary: 'Live changes (server-sent events)', auth: 'read', produces: 'text/event-stream' },
      schema: { response: { 200: { type: 'string' }, '4xx': S.errorBody } },
    },
    (req, reply) => {
      const client = clientAddress(req.socket.remoteAddress, req.headers, trusted);
      // Each stream holds a connection for as long as the client likes: capped, in all and per client.
      if (hub.size >= limits.maxStreams || hub.countFor(client) >= limits.maxStreamsPerClient) {
        // Closed after the answer: a refused client must not keep its connection slot either.
        void reply.header('retry-after', '10').header('connection', 'close');
        throw new HttpError(
          503,
          'unavailable',
          hub.size >= limits.maxStreams
            ? `too many live streams (httpServers.maxStreams = ${limits.maxStreams}); poll instead`
            : `too many live streams from this client (httpServers.maxStreamsPerClient = ${limits.maxStreamsPerClient})`,
        );
      }
      reply.hijack();
      hub.add(reply.raw, { ...SECURITY_HEADERS, 'cache-control': 'no-store' }, client);
    },
  );
  app.get(
    '/api/v1/openapi.json',
    { config: { summary: 'This document' }, schema: { response: { 200: S.openapiBody } } },
    () =>
      Promise.resolve((openapi ??= openapiDocument(docs, opts.version, readDeps.config.dashboard.readAuth))),
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
    load: () => ({ connections: guardOf()?.open ?? 0, streams: hub.size }),
    async applyConfig(loaded) {
      const before = readDeps.config;
      readDeps.config = actionDeps.config = loaded.config;
      readDeps.configHash = loaded.hash;
      if (!sameJson(before.admin.tokens, loaded.config.admin.tokens))
        actionDeps.gate = gateFor(loaded.config);
      openapi = null;
      await opts.source.applyConfig?.(loaded);
      if (!sameJson(before.httpServers, loaded.config.httpServers))
        logger.warn(
          { settings: ['httpServers'] },
          'dashboard: these settings take effect at the next restart',
        );
      logger.info({ hash: loaded.hash }, 'dashboard: new config applied');
    },
    close() {
      closing ??= (async () => {
        unsubscribe();
        await app.close();
      })();
      return closing;
    },
  };
}
