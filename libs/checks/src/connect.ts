/** The phases every check shares: resolve the host, open a fresh TCP connection. */
import { once } from 'node:events';
import { connect, isIP } from 'node:net';
import type { Socket } from 'node:net';
import type { LookupAddress, LookupFn } from './lookup.js';
import type { RunContext } from './run-context.js';

function ignore(): void {}

/** An IP literal skips resolution, so the outcome carries no dns timing. */
export async function resolveHost(ctx: RunContext, host: string, lookup: LookupFn): Promise<LookupAddress> {
  const family = isIP(host);
  if (family !== 0) return { address: host, family: family === 6 ? 6 : 4 };
  ctx.enter('dns');
  const resolved = await lookup(host);
  ctx.record('dns');
  return resolved;
}

export async function connectTcp(ctx: RunContext, address: LookupAddress, port: number): Promise<Socket> {
  ctx.enter('connect');
  const socket = ctx.track(connect({ host: address.address, port, family: address.family }));
  // Late errors (after the outcome is decided, or after dispose) must never become uncaught exceptions.
  socket.on('error', ignore);
  await once(socket, 'connect');
  ctx.record('connect');
  socket.setNoDelay(true);
  return socket;
}
