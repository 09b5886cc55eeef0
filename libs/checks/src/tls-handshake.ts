/**
 * TLS over an already connected socket. The handshake always runs with rejectUnauthorized off and the
 * verdict is applied here afterwards: that way the leaf's notAfter is known even when verification
 * fails, and no request is ever written on a connection that `tls.verify` would reject.
 */
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { connect } from 'node:tls';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Clock, HttpCheckConfig } from '@understudy/core';
import { CheckFailure } from './run-context.js';
import type { RunContext } from './run-context.js';
import type { HttpTarget } from './target.js';

const DAY_MS = 86_400_000;

function ignore(): void {}

export async function tlsHandshake(
  ctx: RunContext,
  socket: Socket,
  check: HttpCheckConfig,
  target: HttpTarget,
  secureContext: SecureContext | undefined,
  clock: Clock,
): Promise<TLSSocket> {
  ctx.enter('tls');
  const tlsSocket = ctx.track(
    connect({
      socket,
      // Node checks the certificate against servername, or against host when there is no SNI (IP literal).
      servername: target.sni,
      host: target.identity,
      rejectUnauthorized: false,
      secureContext,
      ALPNProtocols: ['http/1.1'],
    }),
  );
  // The TLSSocket now owns the raw socket's handle; destroying the raw socket underneath it can crash
  // Node (segfault seen on 20.20), so from here only the TLSSocket is destroyed.
  ctx.untrack(socket);
  tlsSocket.on('error', ignore);
  await once(tlsSocket, 'secureConnect');
  ctx.record('tls');

  const leaf = tlsSocket.getPeerX509Certificate();
  const notAfter = leaf ? Date.parse(leaf.validTo) : NaN;
  if (Number.isFinite(notAfter)) ctx.certExpiresAt = notAfter;

  if (check.tls.verify && !tlsSocket.authorized) {
    const why = String(tlsSocket.authorizationError ?? 'unknown verification error');
    throw new CheckFailure('tls', `certificate rejected for ${target.identity}: ${why}`);
  }
  const minDays = check.tls.minCertDays;
  if (minDays !== null && Number.isFinite(notAfter)) {
    const remaining = notAfter - clock.now();
    if (remaining < minDays * DAY_MS) {
      const days = (Math.abs(remaining) / DAY_MS).toFixed(1);
      const when = remaining < 0 ? `expired ${days} days ago` : `expires in ${days} days`;
      throw new CheckFailure(
        'cert-expiring',
        `certificate ${when} (${new Date(notAfter).toISOString()}); minimum is ${minDays} days`,
      );
    }
  }
  return tlsSocket;
}
