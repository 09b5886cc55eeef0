/**
 * The one logger: pino, JSON lines to stdout, secrets redacted (see redact.ts). `format: 'pretty'` turns
 * each line into one human line (pretty.ts) in this thread, not in a worker-thread transport, so it also
 * works when the CLI is bundled into one file by esbuild.
 */
import pino from 'pino';
import type { DestinationStream, Logger as PinoLogger } from 'pino';
import type { Severity } from '@understudy/core';
import { prettyDestination, type LogFormat } from './pretty.js';
import { REDACTED, createRedactor } from './redact.js';

export type AppLogger = PinoLogger;

/**
 * pino redact paths, on top of the key walk of redact.ts, for what that walk cannot see: it passes class
 * instances through untouched (a raw http.IncomingMessage, an HTTP client's request object hanging off an
 * error) and stops at a fixed depth. pino applies these paths after the serializers, so they reach into a
 * serialized `err` too. All are rooted at a fixed top-level key: such paths cost nothing measurable per
 * line, unlike paths that start with a wildcard (see redact.ts).
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze([
  // An incoming request logged as is (ops server, dashboard, a webhook receiver).
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-auth-key"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  // An outgoing request carried by an error (fetch/SDK/axios-style clients), also one cause deep.
  'err.request.headers.authorization',
  'err.request.headers["x-auth-key"]',
  'err.config.headers.Authorization',
  'err.config.headers.authorization',
  'err.response.config.headers.Authorization',
  'err.cause.request.headers.authorization',
  'err.cause.config.headers.Authorization',
  // Provider credentials in the loaded config or one target of it (a class instance, say).
  'config.targets[*].apiToken',
  'config.targets[*].secretAccessKey',
  'config.targets[*].sessionToken',
  'target.apiToken',
  'target.secretAccessKey',
]);

export interface LoggerOptions {
  name: string;
  /** pino level name; default 'info'. */
  level?: string;
  /** `json` (the default, on a terminal too: what an operator pipes or ships) or `pretty` (one human line per event). */
  format?: LogFormat;
  /** Same as `format: 'pretty'` when true. */
  pretty?: boolean;
  /** Key names redacted at any depth in addition to DEFAULT_REDACT_KEYS. */
  redactKeys?: string[];
  /** Exact pino redact paths (e.g. "config.probe.region") on top of DEFAULT_REDACT_PATHS; use sparingly. */
  redact?: string[];
  /** Where lines go; default stdout (synchronous, so a fatal line is written before exit). */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): AppLogger {
  const usePretty = opts.format === 'pretty' || (opts.format === undefined && opts.pretty === true);
  const redact = createRedactor(opts.redactKeys);
  const options: pino.LoggerOptions = {
    name: opts.name,
    level: opts.level ?? 'info',
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.errWithCause, error: pino.stdSerializers.errWithCause },
    formatters: {
      log: redact,
      bindings: redact,
      // Level names rather than numbers keep raw JSON readable in kubectl logs.
      level: (label: string) => ({ level: label }),
    },
    redact: { paths: [...DEFAULT_REDACT_PATHS, ...(opts.redact ?? [])], censor: REDACTED },
  };
  const dest = opts.destination ?? pino.destination({ dest: 1, sync: true });
  const stream = usePretty ? prettyDestination(dest) : dest;
  return withRedactedChildBindings(pino(options, stream), redact);
}

/** The log level of a decision event: a failover (critical) is an error line, a warning a warn line. */
export function eventLogLevel(severity: Severity): 'info' | 'warn' | 'error' {
  return severity === 'critical' ? 'error' : severity === 'warning' ? 'warn' : 'info';
}

/**
 * pino skips formatters.bindings for child loggers, so redact child bindings here. Children are created with
 * Object.create(parent), so overriding `child` on the root covers grandchildren too.
 */
function withRedactedChildBindings(root: AppLogger, redact: (v: pino.Bindings) => pino.Bindings): AppLogger {
  type ChildFn = (this: unknown, bindings: pino.Bindings, options?: unknown) => unknown;
  // Taken unbound on purpose: it is called below with the child's own `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const original = root.child as unknown as ChildFn;
  const wrapped: ChildFn = function (bindings, options) {
    return original.call(this, redact(bindings), options);
  };
  root.child = wrapped as unknown as typeof root.child;
  return root;
}
