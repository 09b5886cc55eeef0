/**
 * The probe's own health: event-loop delay and file descriptors. A probe that is out of descriptors or
 * stalls its event loop produces failures that say nothing about the origins (issue #10: `connect EMFILE`
 * was voted down), so runs consult it before blaming an origin, and batches carry it to the decider.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ProbeHealth, ProbeHealthConfig } from '@understudy/core';
import { DEFAULT_PROBE_HEALTH } from '@understudy/core';

/** Errors that mean the probe's host ran out of something, whatever phase they happen in. */
export const RESOURCE_CODES: ReadonlySet<string> = new Set([
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
  'ENOMEM',
  'EADDRNOTAVAIL',
  'EAI_MEMORY',
]);

export interface FdUsage {
  open: number | null;
  limit: number | null;
  /** Set when counting failed because the table is full. */
  exhausted: boolean;
}

let cachedLimit: number | null | undefined;

/** The soft RLIMIT_NOFILE, from /proc (Linux); read once, since reading it needs a descriptor. */
export function fdLimit(): number | null {
  if (cachedLimit !== undefined) return cachedLimit;
  try {
    const line = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    cachedLimit = line && line[1] !== 'unlimited' ? Number(line[1]) : null;
  } catch {
    cachedLimit = null;
  }
  return cachedLimit;
}

export function fdUsage(): FdUsage {
  const limit = fdLimit();
  try {
    // One entry is the directory handle readdir itself opens.
    return { open: readdirSync('/proc/self/fd').length - 1, limit, exhausted: false };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const exhausted = typeof code === 'string' && RESOURCE_CODES.has(code);
    return { open: exhausted ? limit : null, limit, exhausted };
  }
}

/** Why the probe cannot be trusted right now for descriptors, or null. */
export function fdPressure(maxShare: number, usage: FdUsage = fdUsage()): string | null {
  if (usage.exhausted) return 'the probe is out of file descriptors';
  if (usage.open === null || usage.limit === null) return null;
  // A small table fills up even below the share: keep a few spare for the check itself.
  const threshold = Math.min(usage.limit * maxShare, usage.limit - 4);
  if (usage.open < threshold) return null;
  return `the probe uses ${usage.open} of ${usage.limit} file descriptors`;
}

/**
 * Samples the event-loop delay continuously and keeps the worst value of the last `windowMs` (in two
 * rotating halves), so every region's batch sees the same recent stall, not one another's resets.
 */
export class ProbeHealthMonitor {
  private readonly histogram: ReturnType<typeof monitorEventLoopDelay>; // ELDHistogram in @types/node 24, IntervalHistogram before
  private readonly rotate: NodeJS.Timeout;
  private previousMax = 0;

  constructor(
    readonly config: ProbeHealthConfig = DEFAULT_PROBE_HEALTH,
    windowMs = 10_000,
  ) {
    this.histogram = monitorEventLoopDelay({ resolution: 20 });
    this.histogram.enable();
    this.rotate = setInterval(() => {
      this.previousMax = this.histogram.max / 1e6;
      this.histogram.reset();
    }, windowMs / 2);
    this.rotate.unref();
  }

  /** Worst event-loop delay in the recent window, ms. */
  eventLoopDelay(): number {
    const current = this.histogram.count > 0 ? this.histogram.max / 1e6 : 0;
    return Math.round(Math.max(this.previousMax, current));
  }

  /** The health to put in a batch, with the sender's own count of probe-errors since its last one. */
  snapshot(probeErrors: number): ProbeHealth {
    const fds = fdUsage();
    return { eventLoopDelay: this.eventLoopDelay(), openFds: fds.open, fdLimit: fds.limit, probeErrors };
  }

  close(): void {
    clearInterval(this.rotate);
    this.histogram.disable();
  }
}
