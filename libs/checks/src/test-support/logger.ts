/** A Logger that keeps what it is given, so tests can assert on warnings. */
import type { Logger } from '@understudy/core';

export interface LogEntry {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  msg: string;
  obj: Record<string, unknown>;
}

export function memoryLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): Logger & { entries: LogEntry[] } {
  const at =
    (level: LogEntry['level']) =>
    (objOrMsg: object | string, msg?: string): void => {
      if (typeof objOrMsg === 'string') entries.push({ level, msg: objOrMsg, obj: { ...bindings } });
      else
        entries.push({
          level,
          msg: msg ?? '',
          obj: { ...bindings, ...(objOrMsg as Record<string, unknown>) },
        });
    };
  return {
    entries,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => memoryLogger(entries, { ...bindings, ...more }),
  };
}

/** Cycles through the given values; each is in [0, 1). */
export function seqRandom(values: number[]): { next(): number } {
  let i = 0;
  return { next: () => values[i++ % values.length]! };
}
