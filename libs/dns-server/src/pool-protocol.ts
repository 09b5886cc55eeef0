/** Messages between a DnsWorkerPool (cluster primary) and its workers, over the cluster IPC channel. */
import type {
  DnsGeoConfig,
  DnsIdentityConfig,
  ListenAddress,
  OverlayUpdate,
  ZoneOverlay,
  ZoneState,
} from '@understudy/core';
import type { LatencySamples } from './latency-sampler.js';
import type { WorkerApplyTrace } from './publish-trace.js';
import type { QueryCount } from './query-counter.js';
import type { ApplyInfo } from './served-zones.js';
import type { BoundAddress, RateLimitSettings } from './server.js';
import type { TransferInfo, TransferSettings } from './transfer-server.js';
import type { UdpIo } from './udp-bind-mode.js';

export interface WorkerInit {
  listen: ListenAddress[];
  udpPayloadSize?: number;
  tcpIdleTimeoutMs?: number;
  tcpMaxConnections?: number;
  tcpFrameTimeoutMs?: number;
  tcpMaxConnectionsPerClient?: number;
  rateLimit?: RateLimitSettings;
  identity?: DnsIdentityConfig;
  /** Send per-(transport, rcode) counts (us:counts), for onQueries. */
  countQueries: boolean;
  latencySampleEvery?: number;
  reportIntervalMs: number;
  /** dns.udpIo (issue 11: batched UDP I/O). */
  udpIo?: UdpIo;
  /** dns.geo (issue 14 part 3). */
  geo?: DnsGeoConfig;
  /** Zone transfers (issue 15); secrets as base64, since IPC carries JSON. */
  transfer?: {
    allow: TransferSettings['allow'];
    keys: { name: string; secret: string }[];
    journalSize?: number;
  };
}

/** A zone state with the generation the worker acknowledges once it serves it (see ServingTracker). */
export interface Versioned {
  zs: ZoneState;
  gen: number;
}

/**
 * Serve the base the worker loads itself from `source` (runDnsWorker's loadBase; never the zone data
 * over IPC) under this overlay.
 */
export interface BaseMessage {
  source: unknown;
  overlay: ZoneOverlay;
  gen: number;
}

export type ToWorker =
  | { t: 'us:init'; init: WorkerInit; state: Versioned | null; base?: BaseMessage }
  | ({ t: 'us:zone' } & Versioned)
  | ({ t: 'us:base' } & BaseMessage)
  /** An overlay update (usually a small delta), acknowledged through us:serving like a state. */
  | { t: 'us:update'; u: OverlayUpdate; gen: number }
  /**
   * Give the start-up peak of the heap back now (issue 11): sent once every worker listens, to one worker at
   * a time, so the others answer while it collects.
   */
  | { t: 'us:settle' }
  | { t: 'us:close' };

export type FromWorker =
  /** Sent once the worker listens for messages; anything sent before that would be lost. */
  | { t: 'us:hello' }
  | { t: 'us:ready'; addresses: { udp: BoundAddress[]; tcp: BoundAddress[] } }
  | { t: 'us:failed'; error: string; code?: string; address?: string; port?: number }
  /** The worker is listening and answers from this generation (since `at`, its wallMs). */
  | { t: 'us:serving'; gen: number; serial: number; at?: number }
  | { t: 'us:zone-rejected'; serial: number; error: string }
  | { t: 'us:update-rejected'; kind: OverlayUpdate['kind']; serial: number; error: string }
  /** `trace`: for an us:update, when it arrived and started (the publish breakdown, publish-trace.ts). */
  | { t: 'us:applied'; info: ApplyInfo; trace?: WorkerApplyTrace }
  | { t: 'us:counts'; counts: QueryCount[]; latency?: LatencySamples }
  | { t: 'us:transfer'; info: TransferInfo }
  /** The heap release asked by us:settle is done (`ms`: how long it stopped the worker). */
  | { t: 'us:settled'; ms: number };

export function isFromWorker(m: unknown): m is FromWorker {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { t?: unknown }).t === 'string' &&
    (m as { t: string }).t.startsWith('us:')
  );
}
