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
  /** DNS checks (issue 14): the server answered with another response code than expected. */
  | 'rcode'
  /** DNS checks: the expected response code, but not the expected answer values. */
  | 'answer'
  | 'internal'
  /**
   * The probe itself failed (out of descriptors or buffers, a stalled event loop, a bug): a fact about
   * the probe, not the origin. It never votes, either way.
   */
  | 'probe-error';

/** Whether a result says something about the origin (it votes) or only about the probe (it does not). */
export function isProbeError(r: { reason?: FailureReason }): boolean {
  return r.reason === 'probe-error';
}

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
  /** The sending probe's own health, measured when the batch was sent. Absent from older probes. */
  health?: ProbeHealth;
}

/** What a probe reports about itself; the decider judges it against `probe.health`. */
export interface ProbeHealth {
  /** Worst event-loop delay over the last few seconds, ms. */
  eventLoopDelay: number;
  /** File descriptors in use, and the process's soft limit; null where the platform cannot tell. */
  openFds: number | null;
  fdLimit: number | null;
  /** Results that ended as probe-error since the previous batch. */
  probeErrors: number;
}
