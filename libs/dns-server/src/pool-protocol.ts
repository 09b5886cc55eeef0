/** Messages between a DnsWorkerPool (cluster primary) and its workers, over the cluster IPC channel. */
import type { ListenAddress, ZoneState } from '@understudy/core';
import type { BoundAddress } from './server.js';

export interface WorkerInit {
  listen: ListenAddress[];
  udpPayloadSize?: number;
  tcpIdleTimeoutMs?: number;
  tcpMaxConnections?: number;
  /** Count queries and send the counts every reportIntervalMs. */
  reportQueries: boolean;
  reportIntervalMs: number;
}

export type ToWorker =
  | { t: 'us:init'; init: WorkerInit; zs: ZoneState | null }
  | { t: 'us:zone'; zs: ZoneState }
  | { t: 'us:close' };

export type FromWorker =
  /** Sent once the worker listens for messages; anything sent before that would be lost. */
  | { t: 'us:hello' }
  | { t: 'us:ready'; addresses: { udp: BoundAddress[]; tcp: BoundAddress[] } }
  | { t: 'us:failed'; error: string }
  | { t: 'us:zone-rejected'; serial: number; error: string }
  /** [key, count] pairs; see packQuery. */
  | { t: 'us:queries'; counts: [number, number][] };

export function isFromWorker(m: unknown): m is FromWorker {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { t?: unknown }).t === 'string' &&
    (m as { t: string }).t.startsWith('us:')
  );
}

/** One number per (transport, path, rcode, qtype), so workers count without building strings. */
export function packQuery(tcp: boolean, slow: boolean, rcode: number, qtype: number): number {
  return ((tcp ? 1 : 0) * 2 + (slow ? 1 : 0)) * 0x10000000 + (rcode & 0xfff) * 0x10000 + (qtype & 0xffff);
}

export function unpackQuery(key: number): {
  transport: 'udp' | 'tcp';
  path: 'fast' | 'slow';
  rcode: number;
  qtype: number;
} {
  const flags = Math.floor(key / 0x10000000);
  return {
    transport: flags >= 2 ? 'tcp' : 'udp',
    path: flags % 2 === 1 ? 'slow' : 'fast',
    rcode: Math.floor(key / 0x10000) & 0xfff,
    qtype: key & 0xffff,
  };
}
