/**
 * Secret redaction for log objects, by key name at any depth.
 *
 * Why not pino's path-based `redact` for the defaults: its wildcards match one level each, so covering
 * `config.targets.route53.secretAccessKey` or `checks[0].headers.authorization` needs a path per depth, and
 * with ~50 wildcard paths a log line cost about 40 µs instead of 3 µs (measured, pino 10). One walk over
 * the object checking each key against a set covers every depth for a few µs. Nothing is mutated: objects
 * on the way to a secret are copied, everything else is passed through as is.
 */

export const REDACTED = '[Redacted]';

/**
 * Key names (compared lower-cased) whose values are replaced wherever they appear: credentials of Route 53
 * (secretAccessKey, sessionToken), Cloudflare (apiToken, apiKey, the X-Auth-Key header), Redis (redisUrl,
 * password), the dashboard and webhooks, HTTP credentials headers (a health check may send Authorization),
 * and TLS private keys.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'secret',
  'token',
  'apitoken',
  'apikey',
  'accesstoken',
  'refreshtoken',
  'sessiontoken',
  'secretaccesskey',
  'credentials',
  'privatekey',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-auth-key',
  'x-api-key',
  'redisurl',
  'webhookurl',
]);

/** Endings that mark a secret in any compound key: dashboardPassword, clientSecret, bearerToken. */
const SECRET_SUFFIXES = ['password', 'secret', 'token', 'apikey', 'privatekey'];

/** PEM private keys are redacted whatever their key (a TLS `key` field, say). */
/** scheme://user:password@host → scheme://[Redacted]@host, in any string (e.g. a Redis URL in a message). */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi;

const MAX_DEPTH = 8;

export type Redactor = <T>(value: T) => T;

export function createRedactor(extraKeys: readonly string[] = []): Redactor {
  const exact = new Set([...DEFAULT_REDACT_KEYS, ...extraKeys].map((k) => k.toLowerCase()));
  const isSecret = (key: string): boolean => {
    const k = key.toLowerCase();
    return exact.has(k) || SECRET_SUFFIXES.some((s) => k.endsWith(s));
  };

  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      if (value.includes('PRIVATE KEY-----')) return REDACTED;
      return value.includes('://') && value.includes('@')
        ? value.replace(URL_USERINFO, `$1${REDACTED}@`)
        : value;
    }
    if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        const next = walk(item, depth + 1);
        if (next !== item) (copy ??= value.slice())[i] = next;
      }
      return copy ?? value;
    }
    const isError = value instanceof Error;
    const proto: unknown = Object.getPrototypeOf(value);
    if (!isError && proto !== Object.prototype && proto !== null) return value;
    let copy: Record<string, unknown> | null = null;
    const source = value as Record<string, unknown>;
    const keys = isError && 'cause' in value ? [...Object.keys(value), 'cause'] : Object.keys(value);
    for (const key of keys) {
      const item = source[key];
      const next = isSecret(key) && item !== undefined && item !== null ? REDACTED : walk(item, depth + 1);
      if (next !== item) (copy ??= cloneShallow(value, isError))[key] = next;
    }
    return copy ?? value;
  };
  return <T>(value: T): T => walk(value, 0) as T;
}

function cloneShallow(value: object, isError: boolean): Record<string, unknown> {
  if (!isError) return { ...(value as Record<string, unknown>) };
  // Keep it an Error (same prototype, message, stack, cause) so pino's err serializer still applies.
  const err = value as Error;
  const copy = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, err);
  copy.message = err.message;
  if (err.stack !== undefined) copy.stack = err.stack;
  if ('cause' in err) copy.cause = err.cause;
  return copy as unknown as Record<string, unknown>;
}
