/** One engine call (ingest, tick, override, …): collects events and what it changed. */
import type { DecisionEvent } from './events.js';
import type { DeciderState } from './state-types.js';

export type NewEvent = Omit<DecisionEvent, 'seq' | 'at'>;

export class Operation {
  readonly events: DecisionEvent[] = [];
  /** Records whose served values changed in this operation. */
  readonly switched = new Set<string>();
  /** Issue 14 part 3: steered records whose per-rule values changed (published like a change of values). */
  readonly steered = new Set<string>();
  stateChanged = false;

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
