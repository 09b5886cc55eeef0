/** What probes measure and send. */

export type FailureReason =
  | 'dns'
  | 'connect'
  | 'tls'
  | 'cert-expiring'
  | 'status'
  | 'body'
  | 'timeout'
  | 'reset'
  | 'protocol'
  | 'internal';

/** Durations in milliseconds; a phase that did not happen is absent. */
export interface PhaseTimings {
  dns?: number;
  connect?: number;
  tls?: number;
  firstByte?: number;
  total: number;
}

export interface CheckOutcome {
  ok: boolean;
  reason?: FailureReason;
  /** Human-readable detail, e.g. "HTTP 503" or "ECONNREFUSED 127.0.0.1:8443". */
  message?: string;
  status?: number;
  timings: PhaseTimings;
  /** Leaf certificate notAfter, epoch ms. */
  certExpiresAt?: number;
}

export interface ProbeResult extends CheckOutcome {
  checkId: string;
  region: string;
  probeId: string;
  /** Per-probe monotonically increasing; orders results from one probe. */
  seq: number;
  /** When the check finished, epoch ms (probe clock). */
  observedAt: number;
}

export interface ResultBatch {
  probeId: string;
  region: string;
  /** epoch ms, probe clock */
  sentAt: number;
  /** Hash of the probe's config, so the decider can notice a mismatch. */
  configHash?: string;
  results: ProbeResult[];
}
