/** Errors carry intent: who must act, and whether retrying can help. */

export interface ConfigProblem {
  /** JSON-pointer-like path, e.g. "zones[0].failover[1].answers[0].check". */
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** The operator's input is wrong. Lists every problem found, each with its path. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly problems: ConfigProblem[],
    readonly source?: string,
  ) {
    super(ConfigError.format(problems, source));
  }

  static format(problems: ConfigProblem[], source?: string): string {
    const head = `${source ?? 'config'}: ${problems.length} problem${problems.length === 1 ? '' : 's'}`;
    const lines = problems.map((p) => {
      const where = p.line === undefined ? '' : `:${p.line}${p.column === undefined ? '' : `:${p.column}`}`;
      return `  ${source ?? ''}${where} ${p.path || '(root)'}: ${p.message}`;
    });
    return [head, ...lines].join('\n');
  }
}

/** Something outside us failed in a way that may pass: retry with backoff and jitter. */
export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A plan that needs --force (too much change, apex NS/SOA, or removing the last answer). */
export class UnsafePlanError extends Error {
  override readonly name = 'UnsafePlanError';
  constructor(
    message: string,
    readonly reasons: string[],
  ) {
    super(message);
  }
}

/** A request names a record, answer or check that does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A request that does not fit the current state, e.g. approving a failback when none is pending. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}
