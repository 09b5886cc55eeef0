/**
 * The decider state changes not yet accepted by the store. Each save sends what the engine changed since the
 * last accepted one (O(changes), never a copy of the whole state); a failed save keeps its patch and merges
 * the next one into it, so nothing it carried is lost. A store without a decider state to patch gets a full
 * one next.
 */
import {
  MissingDeciderBaseError,
  mergeDeciderPatch,
  type DecisionEngine,
  type DeciderStatePatch,
} from '@understudy/core';

export class PendingDeciderPatch {
  private pending: DeciderStatePatch | null = null;

  constructor(private readonly engine: DecisionEngine) {}

  /** Everything changed since the last accepted save; call accepted() or failed() with its outcome. */
  take(): DeciderStatePatch {
    const next = this.engine.takePatch();
    this.pending = this.pending ? mergeDeciderPatch(this.pending, next) : next;
    return this.pending;
  }

  accepted(): void {
    this.pending = null;
  }

  /** The patch stays pending; a store without a base for it gets the whole state instead. */
  failed(err?: unknown): void {
    if (err instanceof MissingDeciderBaseError) {
      this.pending = null;
      this.engine.markFullPatch();
    }
  }
}
