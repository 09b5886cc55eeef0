/**
 * How a UDP endpoint binds: its own socket (a lone server), the cluster primary's shared handle, or its
 * own SO_REUSEPORT socket in each cluster worker.
 *
 * Why reuse-port: with the shared handle every worker waits on the same socket, so each datagram wakes
 * whichever event loop wins the race and the workers contend for one receive queue. With SO_REUSEPORT
 * each worker owns a socket and the kernel spreads datagrams over them by flow hash.
 */
import type { DnsUdpIo } from '@understudy/core';

export type UdpBindMode = 'exclusive' | 'shared' | 'reuse-port';

export interface UdpBindContext {
  /** process.versions.node */
  nodeVersion: string;
  /** process.platform */
  platform: string;
  /** cluster.isWorker */
  clusterWorker: boolean;
  /** The port asked for; 0 means any. */
  port: number;
}

/** dgram's `reusePort` option landed in Node 23.1.0 and was backported to 22.12.0. */
export function dgramHasReusePort(nodeVersion: string): boolean {
  const [major, minor] = nodeVersion.replace(/^v/, '').split('.').map(Number) as [number, number];
  if (!Number.isInteger(major) || !Number.isInteger(minor)) return false;
  if (major === 22) return minor >= 12;
  if (major === 23) return minor >= 1;
  return major > 23;
}

export function udpBindMode(c: UdpBindContext): UdpBindMode {
  if (!c.clusterWorker) return 'exclusive';
  // Port 0 would give every worker a port of its own: only the primary's handle keeps them on one.
  if (c.port === 0) return 'shared';
  // Older Node ignores the option silently (each worker would then bind alone and fail with
  // EADDRINUSE). Linux is where SO_REUSEPORT balances and where this was measured; elsewhere libuv
  // refuses the flag or the kernel does not spread datagrams.
  if (c.platform !== 'linux' || !dgramHasReusePort(c.nodeVersion)) return 'shared';
  return 'reuse-port';
}

/**
 * dns.udpIo: which I/O serves UDP. 'batched' is the recvmmsg/sendmmsg addon (udp-native.ts); 'dgram' is
 * node:dgram; 'auto' picks batched where AUTO_BATCHED says it pays. A batched choice falls back to
 * dgram, with the reason, wherever the addon cannot serve.
 */
export type UdpIo = DnsUdpIo;

/** What bench:dns measured (README): whether 'auto' means batched where the addon loads. */
export const AUTO_BATCHED = true;

export interface UdpIoContext {
  io: UdpIo;
  platform: string;
  mode: UdpBindMode;
  /** The listen host is an IP literal (the addon binds literals only; dgram resolves names). */
  hostIsIp: boolean;
  /** Asked only when everything else allows batched: loading the addon costs a dlopen. */
  addon: () => { ok: true } | { ok: false; reason: string };
}

export type UdpIoChoice = { io: 'batched' } | { io: 'dgram'; reason: string };

export function udpIoChoice(c: UdpIoContext): UdpIoChoice {
  if (c.io === 'dgram') return { io: 'dgram', reason: 'dns.udpIo is dgram' };
  if (c.io === 'auto' && !AUTO_BATCHED) return { io: 'dgram', reason: 'dns.udpIo auto means dgram' };
  if (c.platform !== 'linux') return { io: 'dgram', reason: `recvmmsg needs Linux, not ${c.platform}` };
  // The primary's shared handle is a dgram handle: a worker cannot batch on it.
  if (c.mode === 'shared') return { io: 'dgram', reason: "the cluster primary's shared socket" };
  if (!c.hostIsIp) return { io: 'dgram', reason: 'the listen host is a name, not an address' };
  const a = c.addon();
  return a.ok ? { io: 'batched' } : { io: 'dgram', reason: a.reason };
}
