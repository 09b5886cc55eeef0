/**
 * State of one check run: the single deadline, the current phase, phase timings, and the sockets to
 * destroy when the run ends (whichever way it ends).
 */
import type { CheckOutcome, FailureReason, PhaseTimings } from '@understudy/core';

/** What the run is doing; a failure is classified by the phase it happened in. */
export type Phase = 'setup' | 'dns' | 'connect' | 'tls' | 'request' | 'body';

/** A failure whose reason is already known. Thrown inside a run, turned into an outcome by runCheck. */
export class CheckFailure extends Error {
  override readonly name = 'CheckFailure';
  constructor(
    readonly reason: FailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface Destroyable {
  destroy(): unknown;
}

type TimedPhase = Exclude<keyof PhaseTimings, 'total'>;

/** Durations come from performance.now() (monotonic, sub-ms); rounded to the microsecond. */
function elapsed(from: number): number {
  return Math.round((performance.now() - from) * 1000) / 1000;
}

export class RunContext {
  phase: Phase = 'setup';
  status: number | undefined;
  certExpiresAt: number | undefined;
  /** Rejects with a `timeout` CheckFailure at the deadline, or when the caller's signal aborts. */
  readonly deadline: Promise<never>;
  private readonly startedAt = performance.now();
  private phaseStartedAt = this.startedAt;
  private readonly timings: Partial<Record<TimedPhase, number>> = {};
  private readonly resources = new Set<Destroyable>();
  private timer: NodeJS.Timeout | undefined;
  private signal: AbortSignal | undefined;
  private onAbort: (() => void) | undefined;

  /**
   * @param stallTolerance how late (ms) the deadline may fire before the miss is blamed on the probe's
   *   stalled event loop instead of the origin (see stallTolerance()).
   */
  constructor(timeoutMs: number, signal?: AbortSignal, stallTolerance = defaultStallTolerance(timeoutMs)) {
    const dueAt = this.startedAt + timeoutMs;
    this.deadline = new Promise<never>((_resolve, reject) => {
      this.timer = setTimeout(() => {
        reject(
          stalled(dueAt, stallTolerance, timeoutMs) ??
            new CheckFailure('timeout', `timed out after ${timeoutMs} ms (during ${this.phase})`),
        );
      }, timeoutMs);
      if (!signal) return;
      this.signal = signal;
      this.onAbort = () => {
        const timeout = abortFailure(signal, this.phase);
        reject((timeout.reason === 'timeout' && stalled(dueAt, stallTolerance, timeoutMs)) || timeout);
      };
      if (signal.aborted) this.onAbort();
      else signal.addEventListener('abort', this.onAbort, { once: true });
    });
  }

  enter(phase: Phase): void {
    this.phase = phase;
    this.phaseStartedAt = performance.now();
  }

  /** Records the duration of the phase entered last under the given timing key. */
  record(key: TimedPhase): void {
    this.timings[key] = elapsed(this.phaseStartedAt);
  }

  track<T extends Destroyable>(resource: T): T {
    this.resources.add(resource);
    return resource;
  }

  /** Hands ownership of a resource to a wrapper (e.g. a TLSSocket) that destroys it itself. */
  untrack(resource: Destroyable): void {
    this.resources.delete(resource);
  }

  ok(): CheckOutcome {
    return this.outcome({ ok: true });
  }

  fail(reason: FailureReason, message: string): CheckOutcome {
    return this.outcome({ ok: false, reason, message });
  }

  /** Clears the deadline and destroys every socket and stream of the run. Idempotent. */
  dispose(): void {
    clearTimeout(this.timer);
    if (this.signal && this.onAbort) this.signal.removeEventListener('abort', this.onAbort);
    // Outermost first (response, request, TLS, then TCP): a wrapper must never outlive what it wraps.
    for (const r of [...this.resources].reverse()) {
      try {
        r.destroy();
      } catch {
        // a half-built stream may refuse; nothing else can be done with it
      }
    }
    this.resources.clear();
  }

  private outcome(head: Pick<CheckOutcome, 'ok' | 'reason' | 'message'>): CheckOutcome {
    const out: CheckOutcome = { ...head, timings: { ...this.timings, total: elapsed(this.startedAt) } };
    if (this.status !== undefined) out.status = this.status;
    if (this.certExpiresAt !== undefined) out.certExpiresAt = this.certExpiresAt;
    return out;
  }
}

/**
 * How late a deadline may fire before the run counts as stalled: half the timeout, at least 100 ms (timer
 * noise on a busy host), at most maxEventLoopDelay (the probe's own health limit).
 */
export function stallTolerance(timeoutMs: number, maxEventLoopDelay: number): number {
  return Math.min(maxEventLoopDelay, Math.max(100, timeoutMs / 2));
}

function defaultStallTolerance(timeoutMs: number): number {
  return stallTolerance(timeoutMs, 1_000);
}

/**
 * A deadline that fires far past due means the event loop was blocked: a reply may have been waiting
 * unread the whole time, so the miss is the probe's fault (issue #10), not a fact about the origin.
 */
function stalled(dueAt: number, tolerance: number, timeoutMs: number): CheckFailure | null {
  const late = performance.now() - dueAt;
  if (late <= tolerance) return null;
  return new CheckFailure(
    'probe-error',
    `deadline missed: the probe's event loop stalled (the ${timeoutMs} ms deadline fired ${Math.round(late)} ms late)`,
  );
}

/** A scheduler's timeout aborts with a TimeoutError; anything else (shutdown) is not the origin's fault. */
function abortFailure(signal: AbortSignal, phase: Phase): CheckFailure {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new CheckFailure('timeout', `timed out (aborted by caller during ${phase})`);
  }
  const detail = reason instanceof Error ? reason.message : String(reason);
  return new CheckFailure('probe-error', `check aborted during ${phase}: ${detail}`);
}
