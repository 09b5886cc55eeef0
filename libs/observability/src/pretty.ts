/**
 * `--log-format pretty`: one human line per log event, from the JSON line pino writes:
 *
 *   2026-12-07T10:04:31.123Z ERROR decider: Record app.example.test./A: failover from primary to secondary  event.type=answer-switched …
 *
 * Time in UTC with its zone, level, component (the logger name, or a `role`/`component` binding), message,
 * then the remaining fields as key=value. Written here (some 60 lines) rather than with pino-pretty, whose
 * output spreads one event over many lines and prints times without their zone.
 */
import type { DestinationStream } from 'pino';

/** Log formats the CLI offers. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const LEVELS: Record<string, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields shown in their own place, or noise in a terminal. */
const OWN = new Set(['time', 'level', 'msg', 'name', 'pid', 'hostname', 'role', 'component']);

function value(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v) ?? String(v);
}

/** Flattens nested objects into dotted keys, so one event stays on one line. */
function fields(obj: Record<string, unknown>, prefix: string, out: string[]): void {
  for (const [k, v] of Object.entries(obj)) {
    if (prefix === '' && OWN.has(k)) continue;
    const key = `${prefix}${k}`;
    // An error: its type and message; the stack stays in the JSON format.
    if (prefix === '' && (k === 'err' || k === 'error') && v && typeof v === 'object') {
      const e = v as { type?: string; message?: string; code?: string };
      out.push(
        `${key}=${value(`${e.type ? `${e.type}: ` : ''}${e.message ?? ''}${e.code ? ` (${e.code})` : ''}`)}`,
      );
    } else if (v && typeof v === 'object' && !Array.isArray(v))
      fields(v as Record<string, unknown>, `${key}.`, out);
    else out.push(`${key}=${value(v)}`);
  }
}

/** One JSON log line → one human line (without the newline). A line that is not JSON passes through. */
export function prettyLine(json: string): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json.trimEnd();
  }
  const t = o.time;
  const time = typeof t === 'number' || typeof t === 'string' ? new Date(t).toISOString() : '-';
  const lv = o.level;
  const level = (
    typeof lv === 'number' ? (LEVELS[lv] ?? String(lv)) : typeof lv === 'string' ? lv : '-'
  ).toUpperCase();
  const who = o.role ?? o.component ?? o.name;
  const component = typeof who === 'string' ? who : '-';
  const rest: string[] = [];
  fields(o, '', rest);
  const msg = typeof o.msg === 'string' ? o.msg : '';
  return `${time} ${level.padEnd(5)} ${component}: ${msg}${rest.length ? `  ${rest.join(' ')}` : ''}`;
}

/** A pino destination that writes each event as one pretty line to `dest`. */
export function prettyDestination(dest: DestinationStream): DestinationStream {
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) if (line !== '') dest.write(`${prettyLine(line)}\n`);
    },
  };
}
