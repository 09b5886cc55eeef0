/** Messages between a DnsWorkerPool (cluster primary) and its workers, over the cluster IPC channel. */
import type { ListenAddress, ZoneState } from '@understudy/core';
import type { QueryCount } from './query-counter.js';
import type { BoundAddress } from './server.js';

export interface WorkerInit {
  listen: ListenAddress[];
  udpPayloadSize?: number;
  tcpIdleTimeoutMs?: number;
  tcpMaxConnections?: number;
  /** Send per-(transport, rcode) counts (us:counts), for onQueries. */
  countQueries: boolean;
  /** Send per-(transport, path, rcode, qtype) counts (us:queries), for onQuery. */
  detailQueries: boolean;
  reportIntervalMs: number;
}

/** A zone state with the generation the worker acknowledges once it serves it (see ServingTracker). */
export interface Versioned {
  zs: ZoneState;
  gen: number;
}

export type ToWorker =
  | { t: 'us:init'; init: WorkerInit; state: Versioned | null }
  | ({ t: 'us:zone' } & Versioned)
  | { t: 'us:close' };

export type FromWorker =
  /** Sent once the worker listens for messages; anything sent before that would be lost. */
  | { t: 'us:hello' }
  | { t: 'us:ready'; addresses: { udp: BoundAddress[]; tcp: BoundAddress[] } }
  | { t: 'us:failed'; error: string }
  /** The worker is listening and answers from this generation. */
  | { t: 'us:serving'; gen: number; serial: number }
  | { t: 'us:zone-rejected'; serial: number; error: string }
  | { t: 'us:counts'; counts: QueryCount[] }
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
