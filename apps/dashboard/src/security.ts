/**
 * Security headers on every response, and the bearer-token gate (the ops endpoint's AdminGate: constant-time
 * compare, per-client failure limit) as Fastify hooks.
 */
import type { AdminToken } from '@understudy/core';
import { AdminGate } from '@understudy/observability';
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

export function securityHeaders(req: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.headers(SECURITY_HEADERS);
  // API answers are live state; the UI's static assets may be cached briefly by the browser.
  if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  done();
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The name of the admin token that authenticated this request ('' when none did). */
    actorName: string;
  }
}

export class TokenGate {
  private readonly gate: AdminGate;

  constructor(tokens: readonly AdminToken[], now?: () => number) {
    this.gate = new AdminGate(tokens, now);
  }

  /** Throws 401/403/429 as HttpError; sets request.actorName on success. */
  authenticate(req: FastifyRequest, reply: FastifyReply): void {
    const r = this.gate.check(req.headers.authorization, req.ip);
    if (r.ok) {
      req.actorName = r.name;
      return;
    }
    if (r.status === 401) {
      reply.header('www-authenticate', 'Bearer');
      throw new HttpError(401, 'unauthorized', r.message);
    }
    if (r.status === 429) throw new HttpError(429, 'rate_limited', r.message);
    throw new HttpError(403, 'forbidden', r.message);
  }
}
