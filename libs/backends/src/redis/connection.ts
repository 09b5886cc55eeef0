/**
 * One Redis endpoint for a role: the URL parsed once, a command client (state store, lease), and dedicated
 * clients for BullMQ and pub/sub made on demand. Every client reconnects with capped exponential backoff and
 * has an 'error' listener, so an outage is logged and reported by health(), never thrown at the process.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConfigError, TransientError, type Logger } from '@understudy/core';
import { silentLogger } from '../memory/silent-logger.js';
import { redactRedisUrl, redisOptionsFromUrl } from './url.js';
import { systemRandom } from '@understudy/system';

export interface RedisConnectionOptions {
  /** redis://, rediss:// or redis+sentinel:// (see redisOptionsFromUrl). */
  url: string;
  /** Prepended to every key this package writes. Default "understudy:". */
  prefix?: string;
  logger?: Logger;
  /** Shown in CLIENT LIST, e.g. "decider-a". */
  name?: string;
  /** Config field named in URL errors. Default "redis.url". */
  field?: string;
  /** Extra TLS options for rediss:// (e.g. `ca` for a private CA). */
  tls?: TlsOptions;
  /** Wait for the first connection in create(). Default true. */
  waitForReady?: boolean;
  /** How long create() waits. Default 10 s. */
  readyTimeoutMs?: number;
  /** Cap of the reconnect backoff. Default 2 s. */
  maxBackoffMs?: number;
  /** Commands of the command client fail after this long (a stalled server). Default 5 s. */
  commandTimeoutMs?: number;
}

export interface RedisHealth {
  ok: boolean;
  /** ioredis status: connecting, connect, ready, reconnecting, close, end, wait. */
  status: string;
  lastError: string | null;
}

/** What a client is for decides how it fails while Redis is unreachable. */
export type ClientRole = 'command' | 'producer' | 'worker' | 'subscriber';

const ROLE_OPTIONS: Record<ClientRole, (commandTimeout: number) => RedisOptions> = {
  // Fail fast: callers see TransientError at once and retry on their own schedule.
  command: (t) => ({ enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: t }),
  // BullMQ production guide: producers fail fast instead of queueing while disconnected.
  producer: (t) => ({ enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: t }),
  // BullMQ production guide: workers retry forever (blocking commands, no timeout).
  worker: () => ({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
  subscriber: () => ({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
};

export class RedisConnection {
  readonly prefix: string;
  /** The command client: state store, lease. */
  readonly client: Redis;
  private readonly clients = new Set<Redis>();
  /** Clients closed on purpose: their 'close' is not an outage. */
  private readonly released = new WeakSet<Redis>();
  private readonly base: RedisOptions;
  private lastError: string | null = null;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly opts: RedisConnectionOptions,
    private readonly logger: Logger,
  ) {
    this.prefix = opts.prefix ?? 'understudy:';
    const parsed = redisOptionsFromUrl(opts.url, opts.field);
    const maxBackoff = opts.maxBackoffMs ?? 2_000;
    this.base = {
      ...parsed,
      ...(parsed.tls && opts.tls ? { tls: { ...parsed.tls, ...opts.tls } } : {}),
      retryStrategy: (times) => backoffMs(times, maxBackoff),
      sentinelRetryStrategy: (times) => backoffMs(times, maxBackoff),
      connectTimeout: 5_000,
      lazyConnect: false,
    };
    this.client = this.duplicate('command');
  }

  static async create(opts: RedisConnectionOptions): Promise<RedisConnection> {
    const logger = (opts.logger ?? silentLogger).child({ redis: redactRedisUrl(opts.url) });
    const conn = new RedisConnection(opts, logger);
    if (opts.waitForReady === false) return conn;
    try {
      await conn.ready(opts.readyTimeoutMs ?? 10_000);
    } catch (err) {
      await conn.close();
      throw err;
    }
    return conn;
  }

  /** A new client on the same endpoint, closed with this connection. */
  duplicate(role: ClientRole, overrides: RedisOptions = {}): Redis {
    const name = [this.opts.name ?? 'understudy', role].join('-').replace(/[^\w.-]/g, '_');
    const client = new Redis({
      ...this.base,
      ...ROLE_OPTIONS[role](this.opts.commandTimeoutMs ?? 5_000),
      connectionName: name,
      ...overrides,
    });
    client.once('end', () => this.clients.delete(client));
    let failing = false;
    client.on('error', (err: Error) => {
      this.lastError = err.message;
      // One warning per outage and client; the reconnect loop repeats the same error every attempt.
      if (!failing) this.logger.warn({ err, client: name }, 'redis: connection error');
      else this.logger.debug({ err, client: name }, 'redis: connection error');
      failing = true;
    });
    let wasReady = false;
    client.on('ready', () => {
      if (failing) this.logger.info({ client: name }, 'redis: reconnected');
      failing = false;
      wasReady = true;
    });
    // A server that goes away cleanly emits no error until the first reconnect attempt fails.
    client.on('close', () => {
      if (wasReady && !this.closing && !this.released.has(client)) {
        this.lastError ??= 'connection lost';
        if (!failing) this.logger.warn({ client: name }, 'redis: connection lost');
        failing = true;
      }
      wasReady = false;
    });
    this.clients.add(client);
    return client;
  }

  /**
   * Resolves once the command client is ready. Rejects with ConfigError at once when Redis refuses the
   * credentials (retrying cannot help), else with TransientError after timeoutMs.
   */
  async ready(timeoutMs: number): Promise<void> {
    if (this.client.status === 'ready') return;
    const client = this.client;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        client.off('ready', onReady);
        client.off('error', onError);
        if (err) reject(err);
        else resolve();
      };
      const onReady = () => done();
      const onError = (err: Error) => {
        if (!/WRONGPASS|NOAUTH|invalid password|invalid username/i.test(err.message)) return;
        const field = this.opts.field ?? 'redis.url';
        done(new ConfigError([{ path: field, message: `Redis refused the credentials: ${err.message}` }]));
      };
      const timer = setTimeout(() => {
        const why = this.lastError ? `: ${this.lastError}` : '';
        done(new TransientError(`redis: not reachable within ${timeoutMs} ms${why}`));
      }, timeoutMs);
      client.on('ready', onReady);
      client.on('error', onError);
    });
  }

  health(): RedisHealth {
    const status = this.closing ? 'end' : this.client.status;
    return { ok: status === 'ready', status, lastError: this.lastError };
  }

  /** Key under this connection's prefix. */
  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Closes one client made by duplicate(), quietly. */
  async release(client: Redis): Promise<void> {
    this.released.add(client);
    this.clients.delete(client);
    await quit(client);
  }

  /** Closes every client made by this connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.clients].map((c) => quit(c))).then(() => undefined);
    return this.closing;
  }
}

/** 100 ms doubling per attempt up to the cap, with ±20 % jitter so many clients do not reconnect in step. */
export function backoffMs(attempt: number, capMs: number): number {
  const raw = Math.min(capMs, 100 * 2 ** Math.min(Math.max(attempt - 1, 0), 20));
  return Math.round(raw * (0.8 + systemRandom.next() * 0.4));
}

async function quit(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}

/** Maps a client failure to TransientError (retry later); anything else passes through. */
export function transient(what: string, err: unknown): TransientError {
  const message = err instanceof Error ? err.message : String(err);
  return new TransientError(`redis: ${what} failed: ${message}`, undefined, { cause: err });
}
