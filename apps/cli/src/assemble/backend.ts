/**
 * The backend of one process: in-process (memory: the state file) or Redis. A store and a bus are opened
 * once and shared by the roles that need them; each is closed by the close stack.
 */
import { hostname } from 'node:os';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import type { RedisConnection } from '@understudy/backends/redis';
import type { Lease, Logger, ResultsBus, StateStore } from '@understudy/core';
import { lazyRedisConnection } from '../commands/dns-redis.js';
import { connectRedis, instanceName, redisBackends, type RedisBackends } from '../redis-mode.js';
import type { CloseStack } from './close-stack.js';

export interface ProcessBackend {
  kind: 'memory' | 'redis';
  /** Redis only. */
  connection: RedisConnection | null;
  redis: RedisBackends | null;
  /** The lease holder name of this process. */
  holder: string;
  store(): Promise<StateStore>;
  bus(): Promise<ResultsBus>;
  /** Memory only: the lease over the state store. */
  memoryLease(): Promise<Lease>;
}

export interface BackendOptions {
  kind: 'memory' | 'redis';
  redisUrl?: string;
  stateFile: string | null;
  logger: Logger;
  stack: CloseStack;
  /** Process name: Redis client name and lease holder. */
  name: string;
  /** A connection that does not wait for Redis (a DNS server must start without it). */
  lazy?: boolean;
}

export async function openBackend(o: BackendOptions): Promise<ProcessBackend> {
  if (o.kind === 'memory') return memoryBackend(o);
  if (!o.redisUrl) throw new Error('assemble: backend "redis" needs redisUrl');
  const connection = o.lazy
    ? await lazyRedisConnection(o.redisUrl, o.logger)
    : await connectRedis(o.redisUrl, o.logger, o.name);
  await o.stack.push('redis', () => connection.close());
  const redis = redisBackends(connection, o.logger);
  let store: Promise<StateStore> | null = null;
  let bus: Promise<ResultsBus> | null = null;
  return {
    kind: 'redis',
    connection,
    redis,
    holder: instanceName(o.name),
    store: () =>
      (store ??= redis.openStore().then(async (s) => {
        await o.stack.push('store', () => s.close());
        return s;
      })),
    bus: () =>
      (bus ??= redis.openBus().then(async (b) => {
        await o.stack.push('bus', () => b.close());
        return b;
      })),
    memoryLease: () => Promise.reject(new Error('assemble: over Redis the lease comes from RedisBackends')),
  };
}

function memoryBackend(o: BackendOptions): ProcessBackend {
  let store: Promise<MemoryStateStore> | null = null;
  let bus: MemoryResultsBus | null = null;
  const holder = `${hostname()}/${process.pid}`;
  const openStore = () =>
    (store ??= MemoryStateStore.open({
      file: o.stateFile,
      logger: o.logger.child({ component: 'store' }),
    }).then(async (s) => {
      await o.stack.push('store', () => s.close());
      return s;
    }));
  return {
    kind: 'memory',
    connection: null,
    redis: null,
    holder,
    store: openStore,
    bus: async () => {
      if (bus) return bus;
      const b = new MemoryResultsBus({ logger: o.logger.child({ component: 'bus' }) });
      bus = b;
      await o.stack.push('bus', () => b.close());
      return b;
    },
    // The lease lives in the state store: one decider per state file.
    memoryLease: async () => new MemoryLease({ store: await openStore(), holder }),
  };
}
