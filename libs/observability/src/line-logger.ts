/**
 * A small logger for the DNS workers (issue 11 §2: each idle worker ≤ 60 MB): the same JSON lines as
 * createLogger (logger.ts) — level label, ISO time, pid, hostname, name, child bindings, the object, msg;
 * errors as pino's errWithCause writes them; secrets redacted by key name (redact.ts); `pretty` through
 * pretty.ts — written with one synchronous write per line, without pino. Loading pino costs a worker about
 * 2 MB of RSS (its 157 KB bundle chunk, and node:worker_threads for transports a worker never uses), and a
 * worker logs a handful of lines in its life: warnings about hostile traffic, and errors.
 *
 * Not covered (a worker never logs them): pino's path-based redaction of class instances (an HTTP request
 * object), printf-style arguments, and `level` changes at run time.
 */
import { writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Logger } from '@understudy/core';
import { prettyLine, type LogFormat } from './pretty.js';
import { createRedactor, type Redactor } from './redact.js';

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type LevelName = keyof typeof LEVELS;

export interface LineLoggerOptions {
  name: string;
  /** pino level name (or 'silent'); default 'info'. */
  level?: string;
  /** `json` (default) or `pretty`, as createLogger. */
  format?: LogFormat;
  /** Where lines go; default a synchronous write to stdout (a fatal line is out before exit). */
  write?: (line: string) => void;
}

type Fields = Record<string, unknown>;

const isErrorLike = (v: unknown): v is Error =>
  typeof v === 'object' && v !== null && typeof (v as { message?: unknown }).message === 'string';

/** pino-std-serializers' errWithCause: type, message, stack, aggregateErrors, cause, own enumerable keys. */
function serializeError(err: Error, seen: Set<object> = new Set()): Fields {
  seen.add(err);
  const ctor = (err as { constructor?: unknown }).constructor;
  const out: Fields = {
    type: typeof ctor === 'function' ? ctor.name : err.name,
    message: err.message,
    stack: err.stack,
  };
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors))
    out.aggregateErrors = (errors as unknown[]).map((e) => (isErrorLike(e) ? serializeError(e, seen) : e));
  if (isErrorLike(err.cause) && !seen.has(err.cause)) out.cause = serializeError(err.cause, seen);
  for (const key in err) {
    if (out[key] !== undefined) continue;
    const v = (err as unknown as Fields)[key];
    if (!isErrorLike(v)) out[key] = v;
    else if (!seen.has(v)) out[key] = serializeError(v, seen);
  }
  return out;
}

/** JSON.stringify that writes a repeated (circular) object as "[Circular]" instead of throwing. */
function stringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    const stack: unknown[] = [];
    return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
      if (typeof v !== 'object' || v === null) return v;
      while (stack.length > 0 && stack[stack.length - 1] !== this) stack.pop();
      if (stack.includes(v)) return '[Circular]';
      stack.push(v);
      return v;
    });
  }
}

/**
 * Writes a whole line to fd 1 now, as pino.destination({ sync: true }) does: the rest after a partial write,
 * again after EAGAIN (a non-blocking pipe that is full). A closed stdout (EPIPE) drops the line rather than
 * crash the worker.
 */
function writeStdout(line: string): void {
  let buf = Buffer.from(line);
  for (let tries = 0; buf.length > 0 && tries < 1000;) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
      tries++;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** `{"k":v,...}` → `"k":v,...` (or '' for `{}`), to splice fields into one line. */
const inner = (json: string): string => json.slice(1, -1);

function serializeFields(obj: Fields): string {
  const out: Fields = {};
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined || typeof v === 'function') continue;
    out[key] = (key === 'err' || key === 'error') && isErrorLike(v) ? serializeError(v) : v;
  }
  return inner(stringify(out));
}

function makeLogger(
  threshold: number,
  head: (level: LevelName) => string,
  bindings: string,
  redact: Redactor,
  write: (line: string) => void,
): Logger {
  const logFn =
    (level: LevelName) =>
    (objOrMsg: object | string, msg?: string): void => {
      if (LEVELS[level] < threshold) return;
      let obj: Fields = {};
      let message = msg;
      if (typeof objOrMsg === 'string') message = objOrMsg;
      else if (objOrMsg instanceof Error) {
        // pino: a bare error goes under `err`, its message is the line's when none is given.
        obj = { err: objOrMsg };
        message ??= objOrMsg.message;
      } else if (objOrMsg !== null && typeof objOrMsg === 'object') obj = objOrMsg as Fields;
      const fields = serializeFields(redact(obj));
      let line = head(level) + bindings;
      if (fields !== '') line += `,${fields}`;
      if (message !== undefined) line += `,"msg":${JSON.stringify(message)}`;
      write(`${line}}`);
    };
  return {
    trace: logFn('trace'),
    debug: logFn('debug'),
    info: logFn('info'),
    warn: logFn('warn'),
    error: logFn('error'),
    fatal: logFn('fatal'),
    child: (more) => {
      const extra = serializeFields(redact(more));
      return makeLogger(threshold, head, extra === '' ? bindings : `${bindings},${extra}`, redact, write);
    },
  };
}

/** A pino-compatible JSON-lines logger without pino (see the top of this file). */
export function createLineLogger(opts: LineLoggerOptions): Logger {
  const level = opts.level ?? 'info';
  const threshold = level === 'silent' ? Infinity : LEVELS[level as LevelName];
  if (threshold === undefined) throw new Error(`log level: unknown level "${level}"`);
  const redact = createRedactor();
  const base = serializeFields(redact({ pid: process.pid, hostname: hostname(), name: opts.name }));
  const head = (lv: LevelName): string => `{"level":"${lv}","time":"${new Date().toISOString()}",${base}`;
  const out = opts.write ?? writeStdout;
  const write =
    opts.format === 'pretty'
      ? (line: string) => out(`${prettyLine(line)}\n`)
      : (line: string) => out(`${line}\n`);
  return makeLogger(threshold, head, '', redact, write);
}
