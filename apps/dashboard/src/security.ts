/**
 * Security headers on every response, the Host allow-list (against DNS rebinding), and the bearer-token gate
 * (the ops endpoint's AdminGate: constant-time compare, the right token always works, wrong ones throttled
 * per client) as Fastify hooks.
 */
import type { AdminToken, HttpServersConfig, Logger } from '@understudy/core';
import { AdminGate, clientAddress, hostAllowed } from '@understudy/observability';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
});

/** Every response is live state unless it says otherwise (the UI's static files set their own caching). */
export function securityHeaders(_req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.headers(SECURITY_HEADERS);
  reply.header('cache-control', 'no-store');
  done();
}

/** 421 for a Host that is not loopback, an IP literal, the listen address or in httpServers.allowedHosts. */
export function hostGuard(listenHost: string, http: HttpServersConfig) {
  return (req: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void => {
    if (hostAllowed(req.headers.host, listenHost, http.allowedHosts)) done();
    else
      done(
        new HttpError(
          421,
          'misdirected',
          'this Host is not served here: use the address the dashboard listens on, or add the name to httpServers.allowedHosts',
        ),
      );
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the admin token that authenticated this request ('' when none did). */
    actorName: string;
  }
}

export class TokenGate {
  private readonly gate: AdminGate;

  constructor(
    tokens: readonly AdminToken[],
    private readonly trustedProxies: readonly string[],
    private readonly logger: Logger,
    now?: () => number,
  ) {
    this.gate = new AdminGate(tokens, now);
  }

  /** Throws 401/403/429 as HttpError; sets request.actorName on success. Failures are logged, never the token. */
  authenticate(req: FastifyRequest, reply: FastifyReply): void {
    const client = clientAddress(req.socket.remoteAddress, req.headers, this.trustedProxies);
    const r = this.gate.check(req.headers.authorization, client);
    if (r.ok) {
      req.actorName = r.name;
      return;
    }
    // A missing token is the page asking for one; wrong tokens (and the one that starts throttling) are news.
    if (r.reason === 'wrong' || r.throttledNow)
      this.logger.warn(
        {
          client,
          method: req.method,
          route: req.routeOptions.url ?? null,
          reason: r.reason,
          status: r.status,
          throttled: r.throttledNow === true,
        },
        'dashboard: failed authentication',
      );
    if (r.status === 401) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', r.message);
    }
    if (r.status === 429) throw new HttpError(429, 'rate_limited', r.message);
    throw new HttpError(403, 'forbidden', r.message);
  }
}
