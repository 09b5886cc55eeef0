/**
 * Distributed mode plumbing shared by the role commands: which Redis to use (--redis wins over REDIS_URL),
 * one connection per process, and the adapters of @understudy/backends/redis over it.
 */
import { hostname } from 'node:os';
import { ConfigError, TransientError, type Logger } from '@understudy/core';
import {
  RedisActionRelay,
  RedisConnection,
  RedisLease,
  RedisResultsBus,
  RedisStateStore,
} from '@understudy/backends/redis';
import type { RefusedWritesSource } from '@understudy/core';
import { CliExit, EXIT_USAGE } from './commands/shared.js';

/** --redis, else $REDIS_URL, else undefined (embedded mode where a command allows it). */
export function redisUrl(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = flag ?? env.REDIS_URL;
  return url && url.trim() !== '' ? url.trim() : undefined;
}

export function requireRedisUrl(flag: string | undefined, command: string): string {
  const url = redisUrl(flag);
  if (!url) throw new CliExit(`understudy ${command}: needs --redis <url> or REDIS_URL`, EXIT_USAGE);
  return url;
}

/** Names this process in Redis CLIENT LIST, lease holders and publications. */
export function instanceName(role: string): string {
  return `${role}@${hostname()}/${process.pid}`;
}

/** `waitForReady: false`: the connection keeps trying in the background (a DNS server starts without Redis). */
export async function connectRedis(
  url: string,
  logger: Logger,
  name: string,
  waitForReady = true,
): Promise<RedisConnection> {
  try {
    return await RedisConnection.create({
      url,
      logger: logger.child({ component: 'redis' }),
      name,
      field: '--redis',
      ...(waitForReady ? {} : { waitForReady: false }),
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliExit(err.message, EXIT_USAGE);
    if (err instanceof TransientError) throw new CliExit(`understudy: ${err.message}`);
    throw err;
  }
}

export interface RedisBackends {
  connection: RedisConnection;
  openBus(): Promise<RedisResultsBus>;
  openStore(): Promise<RedisStateStore>;
  lease(holder: string, ttlMs: number): RedisLease;
  /** Operator actions to the leading decider (the standalone dashboard sends, the leader serves). */
  relay(): RedisActionRelay;
}

export function redisBackends(connection: RedisConnection, logger: Logger): RedisBackends {
  return {
    connection,
    openBus: () =>
      Promise.resolve(new RedisResultsBus({ connection, logger: logger.child({ component: 'bus' }) })),
    openStore: () => RedisStateStore.open({ connection, logger: logger.child({ component: 'store' }) }),
    lease: (holder, ttlMs) => new RedisLease({ connection, holder, ttlMs }),
    relay: () => new RedisActionRelay({ connection, logger: logger.child({ component: 'action-relay' }) }),
  };
}

/** The store's log of refused stale-epoch writes, read forward from where the last read stopped. */
export function refusedWritesOf(store: RedisStateStore): RefusedWritesSource {
  let after: string | undefined;
  return {
    read: async () => {
      const rows = await store.readRefusedWrites({ ...(after !== undefined ? { after } : {}), limit: 100 });
      after = rows.at(-1)?.id ?? after;
      return rows;
    },
  };
}

/** Redis health for /readyz detail. */
export function redisDetail(connection: RedisConnection): Record<string, unknown> {
  const h = connection.health();
  return { redis: { ok: h.ok, status: h.status, ...(h.lastError ? { lastError: h.lastError } : {}) } };
}
