/**
 * How `understudy dns` reaches Redis without depending on it to start: a connection that does not wait,
 * a store opened when Redis answers (with a short first wait), and a background wait that retries until it
 * does or the process shuts down.
 */
import { TransientError, type Logger } from '@understudy/core';
import type { RedisConnection } from '@understudy/backends/redis';
import { RedisStateStore } from '@understudy/backends/redis';
import { connectRedis } from '../redis-mode.js';

/** The connection starts reconnecting at once; nothing here waits for Redis. A bad URL exits (usage). */
export function lazyRedisConnection(url: string, logger: Logger): Promise<RedisConnection> {
  return connectRedis(url, logger, 'dns', false);
}

/**
 * The state store once Redis answers within `waitMs`, else null. Refused credentials throw ConfigError:
 * retrying cannot fix them.
 */
export async function storeWithin(
  connection: RedisConnection,
  logger: Logger,
  waitMs: number,
): Promise<RedisStateStore | null> {
  try {
    await connection.ready(waitMs);
    return await RedisStateStore.open({ connection, logger: logger.child({ component: 'store' }) });
  } catch (err) {
    if (err instanceof TransientError) return null;
    throw err;
  }
}

/**
 * Retries storeWithin until it succeeds or `stopped()` says the process is closing (then null). Logs the
 * wait once, not every attempt; refused credentials are logged as errors and retried (a fixed secret is
 * picked up without a restart of the DNS server).
 */
export async function waitForStore(
  connection: RedisConnection,
  logger: Logger,
  stopped: () => boolean,
  attemptMs = 5_000,
): Promise<RedisStateStore | null> {
  let attempts = 0;
  while (!stopped()) {
    try {
      const store = await storeWithin(connection, logger, attemptMs);
      if (store && stopped()) {
        await store.close();
        return null;
      }
      if (store) return store;
    } catch (err) {
      logger.error({ err }, 'dns: Redis refused this server; retrying');
      await new Promise((r) => setTimeout(r, attemptMs).unref());
    }
    attempts++;
    if (attempts === 1) logger.info('dns: still waiting for Redis (retrying in the background)');
  }
  return null;
}
