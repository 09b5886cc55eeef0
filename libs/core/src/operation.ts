/** One engine call (ingest, tick, override, …): collects events and what it changed. */
import type { CheckEvidence, DecisionEvent } from './events.js';
import type { DeciderState } from './state-types.js';

export type NewEvent = Omit<DecisionEvent, 'seq' | 'at'>;

export class Operation {
  readonly events: DecisionEvent[] = [];
  /** Records whose served values changed in this operation. */
  readonly switched = new Set<string>();
  /** Issue 14 part 3: steered records whose per-rule values changed (published like a change of values). */
  readonly steered = new Set<string>();
  stateChanged = false;
  /**
   * Issue 11: a check's evidence as of this operation, shared by every record event it drives (a check
   * flipping 1,100 records computed its verdict and votes 1,100 times). Checks do not change while records
   * are evaluated, so the first one computed holds for the rest of the operation; it is frozen, as shared.
   */
  readonly checkEvidence = new Map<string, CheckEvidence>();

  constructor(
    readonly now: number,
    private readonly st: DeciderState,
  ) {}

  emit(e: NewEvent): DecisionEvent {
    const ev: DecisionEvent = { seq: ++this.st.eventSeq, at: this.now, ...e };
    this.events.push(ev);
    this.stateChanged = true;
    return ev;
  }

  touch(): void {
    this.stateChanged = true;
  }
}
