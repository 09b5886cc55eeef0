/**
 * The demo's control endpoint: `understudy demo fail|restore <origin>` talks to it. Failing an origin fails
 * over the demo's record, so it takes the demo operator's token, like every other way of changing a verdict.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { DEFAULT_HTTP_SERVERS, type Logger } from '@understudy/core';
import {
  AdminGate,
  answerClientError,
  clientAddress,
  guardConnections,
  guardedServerOptions,
  hostAllowed,
} from '@understudy/observability';
import type { Origin } from '@understudy/origins/origin';
import { ORIGIN_MODES, type FailMode } from './demo-defaults.js';

export { ORIGIN_MODES, type FailMode };

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(`${JSON.stringify(body)}\n`);
}

export async function startControlServer(
  listen: { host: string; port: number },
  origins: Map<string, Origin>,
  logger: Logger,
  token: string,
): Promise<{ close(): Promise<void>; port: number }> {
  const gate = new AdminGate([{ name: 'demo-operator', token }]);
  const server: Server = createServer(guardedServerOptions(DEFAULT_HTTP_SERVERS), (req, res) => {
    if (!hostAllowed(req.headers.host, listen.host, [])) {
      send(res, 421, { error: 'this Host is not served here' });
      return;
    }
    const client = clientAddress(req.socket.remoteAddress, req.headers, []);
    const auth = gate.check(req.headers.authorization, client);
    if (!auth.ok) {
      if (auth.reason === 'wrong' || auth.throttledNow)
        logger.warn({ client, reason: auth.reason }, 'demo control: failed authentication');
      res.setHeader('www-authenticate', 'Bearer');
      send(res, auth.status, { error: `${auth.message} (the demo operator token the demo printed)` });
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://control');
    } catch {
      send(res, 400, { error: 'malformed request path' });
      return;
    }
    const parts = url.pathname.split('/').filter(Boolean);
    if (req.method === 'GET' && url.pathname === '/origins') {
      send(
        res,
        200,
        [...origins.values()].map((o) => ({ name: o.name, url: o.url, mode: o.mode })),
      );
      return;
    }
    const origin = parts[0] === 'origins' ? origins.get(parts[1] ?? '') : undefined;
    const action = parts[2];
    if (
      req.method !== 'POST' ||
      !origin ||
      (action !== 'fail' && action !== 'restore') ||
      parts.length !== 3
    ) {
      send(res, 404, { error: `unknown request; origins: ${[...origins.keys()].join(', ')}` });
      return;
    }
    const mode = action === 'restore' ? 'up' : ((url.searchParams.get('mode') ?? 'down') as FailMode | 'up');
    if (mode !== 'up' && !ORIGIN_MODES.includes(mode)) {
      send(res, 400, { error: `mode must be one of ${ORIGIN_MODES.join(', ')}` });
      return;
    }
    origin.setMode(mode).then(
      () => {
        logger.info({ origin: origin.name, mode }, `demo: origin ${origin.name} is now ${mode}`);
        send(res, 200, { name: origin.name, mode });
      },
      (err: unknown) => send(res, 500, { error: String(err) }),
    );
  });
  server.on('error', (err) => logger.error({ err }, 'demo control server error'));
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(err, socket, (_s, message) => ({ type: 'text/plain', text: `${message}\n` })),
  );
  guardConnections(server, DEFAULT_HTTP_SERVERS, logger, 'demo control');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : listen.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
