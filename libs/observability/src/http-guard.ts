/**
 * Guards shared by the dashboard and the ops endpoint (issue #10): capped connections (in all and per client),
 * timeouts that destroy sockets instead of half-closing them, a Host allow-list against DNS rebinding, and
 * the client address (X-Forwarded-For only from configured proxies). Whatever HTTP clients do, they must not
 * use up the descriptors the probes and the decider need.
 */
import type { IncomingHttpHeaders, Server, ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import { formatIPv6, parseIPv4, parseIPv6 } from '@understudy/core';
import type { HttpServersConfig, Logger } from '@understudy/core';

/** Idle sockets go after this long; the dashboard's event stream sends a heartbeat every 15 s. */
export const IDLE_TIMEOUT_MS = 60_000;
export const MAX_HEADER_BYTES = 16 * 1024;

/** "::ffff:127.0.0.1" → "127.0.0.1"; IPv6 canonical; anything else as given. */
export function normalizeIp(addr: string | undefined): string {
  if (!addr) return 'unknown';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(addr);
  if (v4) return v4[1]!;
  if (parseIPv4(addr)) return addr;
  const g = parseIPv6(addr);
  return g ? formatIPv6(g) : addr;
}

/**
 * Who sent the request: the socket's peer, or, when that peer is a trusted proxy, the last X-Forwarded-For
 * entry that is not itself a trusted proxy (entries left of it are written by the client and prove nothing).
 */
export function clientAddress(
  peer: string | undefined,
  headers: IncomingHttpHeaders,
  trustedProxies: readonly string[],
): string {
  const ip = normalizeIp(peer);
  if (!trustedProxies.includes(ip)) return ip;
  const raw = headers['x-forwarded-for'];
  const hops = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalizeIp(hops[i]);
    if (!trustedProxies.includes(hop)) return hop;
  }
  return ip;
}

/** The name part of a Host header value ("[::1]:8080" → "::1", "Example.TEST.:80" → "example.test"). */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  const v6 = /^\[([^\]]*)\](?::\d*)?$/.exec(h);
  if (v6) return v6[1]!;
  return h.replace(/:\d*$/, '').replace(/\.$/, '');
}

/**
 * May a request naming `host` be answered? IP literals (a rebinding page cannot use them: its origin is a
 * name), loopback names, the listen address and the configured names are; a missing Host (HTTP/1.0) is too.
 */
export function hostAllowed(
  host: string | undefined,
  listenHost: string,
  allowed: readonly string[],
): boolean {
  if (host === undefined) return true;
  const name = hostName(host);
  if (name === '') return false;
  if (parseIPv4(name) || parseIPv6(name)) return true;
  if (name === 'localhost' || name.endsWith('.localhost') || name === listenHost.toLowerCase()) return true;
  return allowed.some(
    (a) =>
      a === '*' ||
      a === name ||
      (a.startsWith('*.') && name.endsWith(a.slice(1)) && name.length > a.length - 1),
  );
}

/** node:http options for a guarded server. */
export function guardedServerOptions(cfg: HttpServersConfig): ServerOptions {
  return {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: cfg.headersTimeout,
    requestTimeout: cfg.requestTimeout,
    keepAliveTimeout: cfg.keepAliveTimeout,
    // Node enforces the two timeouts above on this interval (30 s by default): slow-header sockets would
    // otherwise live up to half a minute past their deadline.
    connectionsCheckingInterval: Math.max(250, Math.min(1000, Math.floor(cfg.headersTimeout / 2))),
  };
}

export interface ConnectionGuard {
  /** Open (accepted) connections now. */
  readonly open: number;
  /** Connections closed at once because a cap was reached, since start. */
  readonly refused: number;
}

/**
 * Caps a server's connections: `maxConnections` in all (Node closes the extra ones before they cost
 * anything) and `maxConnectionsPerClient` per peer address. A trusted proxy carries many clients, so it
 * is held to the total only. Idle and timed-out sockets are destroyed: a socket is never left half-closed.
 */
export function guardConnections(
  server: Server,
  cfg: HttpServersConfig,
  logger: Logger,
  what: string,
): ConnectionGuard {
  const perClient = new Map<string, number>();
  let open = 0;
  let refused = 0;
  let lastWarn = 0;
  const warn = (reason: string, client: string) => {
    refused++;
    // One line per 10 s at most: a flood must not turn into a flood of log lines.
    const now = Date.now();
    if (now - lastWarn < 10_000) return;
    lastWarn = now;
    logger.warn({ client, open, refused, reason }, `${what}: refusing connections (${reason})`);
  };
  server.maxConnections = cfg.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string }) =>
    warn('maxConnections', normalizeIp(data?.remoteAddress)),
  );
  // No 'timeout' listener on the server: Node then destroys an idle socket itself.
  server.setTimeout(IDLE_TIMEOUT_MS);
  server.on('connection', (socket: Socket) => {
    const client = normalizeIp(socket.remoteAddress);
    const limited = !cfg.trustedProxies.includes(client);
    const n = perClient.get(client) ?? 0;
    if (limited && n >= cfg.maxConnectionsPerClient) {
      warn('maxConnectionsPerClient', client);
      socket.destroy();
      return;
    }
    open++;
    perClient.set(client, n + 1);
    socket.once('close', () => {
      open--;
      const left = (perClient.get(client) ?? 1) - 1;
      if (left <= 0) perClient.delete(client);
      else perClient.set(client, left);
    });
  });
  return {
    get open() {
      return open;
    },
    get refused() {
      return refused;
    },
  };
}

/**
 * Answers a protocol-level client error (bad request line, header overflow, header/request timeout) and
 * destroys the socket. end() would leave it half-open (FIN-WAIT-2) holding a descriptor until the peer
 * closes, which a slow client never does.
 */
export function answerClientError(
  err: NodeJS.ErrnoException,
  socket: Socket,
  body: (status: number, message: string) => { type: string; text: string; headers?: Record<string, string> },
): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || !socket.writable || socket.bytesWritten > 0) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', `request headers are larger than ${MAX_HEADER_BYTES} bytes`]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'the request did not arrive in time']
        : [400, 'Bad Request', 'malformed HTTP request'];
  const b = body(status, message);
  const payload = Buffer.from(b.text, 'utf8');
  const extra = Object.entries(b.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.write(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: ${b.type}\r\n` +
      `Content-Length: ${payload.length}\r\n${extra}\r\n`,
  );
  socket.write(payload);
  socket.destroy();
}
