/** A Logger that records what it is given, for tests that assert on logs (or just want silence). */
import type { Logger } from '@understudy/core';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface LogEntry {
  level: LogLevel;
  msg: string;
  /** The logged object merged over the child bindings. */
  obj: Record<string, unknown>;
}

export type RecordingLogger = Logger & { entries: LogEntry[]; messages(level?: LogLevel): string[] };

export function recordingLogger(
  entries: LogEntry[] = [],
  bindings: Record<string, unknown> = {},
): RecordingLogger {
  const at =
    (level: LogLevel) =>
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
    messages: (level) => entries.filter((e) => level === undefined || e.level === level).map((e) => e.msg),
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: (more) => recordingLogger(entries, { ...bindings, ...more }),
  };
}
