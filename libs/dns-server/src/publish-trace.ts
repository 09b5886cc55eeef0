/**
 * Where one overlay update's time went on its way to every DNS worker (issue 11: decision → served at
 * 110,000 records). The pool notes when it sent an update, each worker reports when it received it and what
 * its apply took (ApplyInfo.stages), and its acknowledgement's travel time is measured on arrival; once
 * every worker serves the update, the trace is complete. Times are wall-clock ms (performance.timeOrigin +
 * performance.now()), comparable across the processes of one machine.
 */
import type { ApplyInfo } from './served-zones.js';

/** One worker's part of a publish, in ms. */
export interface WorkerPublishStages {
  /** Primary sent → worker received (the IPC channel, and the worker's event loop getting to it). */
  ipcMs: number;
  /** Received → apply started (behind the worker's earlier messages). */
  queueMs: number;
  planMs: number;
  encodeMs: number;
  pausedMs: number;
  slices: number;
  commitMs: number;
  /** Worker serving → the primary got its acknowledgement. */
  ackMs: number;
}

export interface PublishTrace {
  serial: number;
  /** When the server (or pool) was given the update. */
  sentAt: number;
  /** When the last worker's acknowledgement arrived: the update is served everywhere. */
  servedAt: number;
  workers: WorkerPublishStages[];
}

/** Wall-clock ms with sub-ms resolution. */
export const wallMs = (): number => performance.timeOrigin + performance.now();

/** What a worker says about one update it applied (in us:applied). */
export interface WorkerApplyTrace {
  gen: number;
  receivedAt: number;
  startedAt: number;
}

interface Open<W> {
  gen: number;
  serial: number;
  sentAt: number;
  parts: Map<W, Omit<WorkerPublishStages, 'ackMs'>>;
  stages: WorkerPublishStages[];
}

/** The trace of the newest update only: a newer one supersedes it, as it does for ServingTracker. */
export class PublishTraces<W> {
  private open: Open<W> | null = null;

  sent(gen: number, serial: number): void {
    this.open = { gen, serial, sentAt: wallMs(), parts: new Map(), stages: [] };
  }

  /** A worker's us:applied for `trace.gen`, with its ApplyInfo. */
  applied(w: W, trace: WorkerApplyTrace, info: ApplyInfo): void {
    const o = this.open;
    const s = info.stages;
    if (!o || o.gen !== trace.gen || !s) return;
    o.parts.set(w, {
      ipcMs: trace.receivedAt - o.sentAt,
      queueMs: trace.startedAt - trace.receivedAt,
      planMs: s.planMs,
      encodeMs: s.encodeMs,
      pausedMs: s.pausedMs,
      slices: s.slices,
      commitMs: s.commitMs,
    });
  }

  /** A worker's acknowledgement of `gen`, which it sent at `at` (wallMs in the worker). */
  acked(w: W, gen: number, at: number): void {
    const o = this.open;
    const part = o?.gen === gen ? o.parts.get(w) : undefined;
    if (!o || !part) return;
    o.stages.push({ ...part, ackMs: Math.max(0, wallMs() - at) });
  }

  /** The update of `gen` is served by every worker: its trace, once (null without one). */
  complete(gen: number): PublishTrace | null {
    const o = this.open;
    if (!o || o.gen !== gen) return null;
    this.open = null;
    if (o.stages.length === 0) return null;
    return { serial: o.serial, sentAt: o.sentAt, servedAt: wallMs(), workers: o.stages };
  }
}
