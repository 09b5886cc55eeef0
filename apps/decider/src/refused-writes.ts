/**
 * Stale-epoch writes the store refused (core's RefusedWrite), as the leader turns them into write-refused
 * events: the leader whose epoch fenced a write raises its event, once.
 */
import type { NewEvent, RefusedWrite } from '@understudy/core';

/** Keeps the ids raised so far (bounded) and returns the events to raise for a leader at `epoch`. */
export class RefusedWriteTracker {
  private readonly seen = new Set<string>();

  constructor(
    private readonly epoch: number,
    private readonly maxSeen = 10_000,
  ) {}

  newEvents(writes: readonly RefusedWrite[]): NewEvent[] {
    const out: NewEvent[] = [];
    for (const w of writes) {
      // Refusals by an earlier leader's epoch were that leader's to report.
      if (w.storedEpoch !== this.epoch || this.seen.has(w.id)) continue;
      this.seen.add(w.id);
      out.push({
        type: 'write-refused',
        severity: 'critical',
        ...(w.serial !== undefined ? { serial: w.serial } : {}),
        message: `Refused a ${w.what} write from stale epoch ${w.epoch} (the leader's epoch is ${w.storedEpoch}): a paused or partitioned old decider tried to write`,
        evidence: { write: { ...w } },
      });
    }
    if (this.seen.size > this.maxSeen) {
      const drop = this.seen.size - this.maxSeen;
      let i = 0;
      for (const id of this.seen) {
        if (i++ >= drop) break;
        this.seen.delete(id);
      }
    }
    return out;
  }
}
