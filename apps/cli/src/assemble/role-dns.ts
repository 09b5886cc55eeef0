/**
 * The DNS role of a process. Beside a decider it serves the shared store; alone over Redis it must start
 * without Redis: it waits briefly, then serves its disk cache (degraded) and follows Redis once it answers;
 * alone without Redis it serves the state file's last zone state, or the config on primaries.
 */
import { hostname } from 'node:os';
import type { RedisConnection, RedisStateStore } from '@understudy/backends/redis';
import type { LoadedConfig } from '@understudy/config';
import type { Logger, StateStore, ZoneOverlay } from '@understudy/core';
import { DnsRole, ZoneCache, type ZoneSource } from '@understudy/dns';
import type { UnderstudyMetrics } from '@understudy/observability';
import { storeWithin, waitForStore } from '../commands/dns-redis.js';
import { dnsRoleWiring } from '../dns-wiring.js';
import { dnsQueryCounter } from '../metrics-adapters.js';
import type { AssemblyContext, RolePart } from './types.js';

/**
 * How long a DNS-only start waits for Redis before serving the disk cache. Short: a DNS server that is not
 * answering is the outage, and the cache is replaced by the live state as soon as Redis answers.
 */
const STARTUP_WAIT_MS = 2_000;

export async function startDnsPart(ctx: AssemblyContext): Promise<RolePart> {
  const { opts, backend, metrics, clock, stack } = ctx;
  const loaded = ctx.current();
  const { config } = loaded;
  const logger = ctx.log('dns');
  const alone = opts.roles.size === 1;
  const redis = backend.connection;
  // Stable across restarts (host + port), so a restarted server replaces its own publication record.
  const instance =
    backend.kind === 'memory' && !alone ? hostname() : `${hostname()}:${config.listen.dns[0]?.port ?? 0}`;
  const cache = redis && alone ? zoneCache(loaded, opts.cacheFile, logger) : null;
  let role: DnsRole | null = null;
  const common = {
    config,
    logger,
    clock,
    instance,
    onQueries: dnsQueryCounter(metrics).onQueries,
    ...dnsRoleWiring(loaded, metrics, clock, (o: ZoneOverlay, source: ZoneSource) => {
      served(metrics, sourceName(source, redis !== null));
      opts.hooks?.onServing?.(o);
    }),
    ...(cache ? { cache } : {}),
  };
  const part: RolePart = {
    name: 'dns',
    handle: () => role,
    reloadTarget: () => role,
    // Ready while serving a zone state, even with Redis down: the last good answers beat none, and taking
    // every DNS server out of rotation during a Redis outage would turn it into a DNS outage.
    ready: () => role?.ready ?? false,
    detail: () => ({
      serial: role?.serial ?? null,
      instance,
      source: sourceName(role?.source ?? null, redis !== null),
      degraded: role?.source === 'disk-cache',
      ...(cache ? { cacheFile: cache.file } : {}),
    }),
  };
  if (!redis || !alone) {
    const store = await backend.store();
    // Without Redis and without a decider the state file belongs to `understudy run`: a heartbeat would
    // rewrite it every 10 s with this process's copy. Publications only matter to a decider sharing the store.
    const heartbeat = !redis && alone ? { publicationHeartbeat: 0 } : {};
    const started = await DnsRole.start({ ...common, store, ...heartbeat });
    await stack.push('dns', () => started.close());
    role = started;
    return part;
  }
  let live: StateStore | null = await storeWithin(redis, logger, STARTUP_WAIT_MS).catch((err: unknown) => {
    logger.error({ err }, 'dns: Redis refused this server');
    return null;
  });
  const cached = live ? undefined : await loadCache(cache, logger);
  if (!live && !cached) {
    logger.warn('dns: Redis not reachable and no usable disk cache: not serving until Redis answers');
    live = await waitForStore(redis, logger, () => stack.closing);
    stack.check();
  }
  // Closed after the DNS server (pushed first): the server reads it until it stops.
  let store = live;
  await stack.push('store', async () => store?.close());
  const started = await DnsRole.start({ ...common, store: live, ...(cached ? { cached } : {}) });
  await stack.push('dns', () => started.close());
  role = started;
  if (!live)
    void followLater(
      started,
      redis,
      logger,
      () => stack.closing,
      (s) => (store = s),
    );
  return part;
}

function zoneCache(loaded: LoadedConfig, file: string | null | undefined, logger: Logger): ZoneCache | null {
  const path = file !== undefined ? file : loaded.config.dns.cacheFile;
  if (!path) return null;
  const zones = loaded.config.zones.map((z) => z.apex);
  return new ZoneCache({ file: path, configHash: loaded.hash, zones, logger });
}

async function loadCache(cache: ZoneCache | null, logger: Logger): Promise<ZoneOverlay | undefined> {
  if (!cache) return undefined;
  const res = await cache.load();
  if (res.ok) {
    logger.warn(
      { file: cache.file, serial: res.overlay.serial, savedAt: new Date(res.savedAt).toISOString() },
      'dns: Redis not reachable: serving the zone state from the disk cache (degraded) until it answers',
    );
    return res.overlay;
  }
  if (res.reason === 'missing') logger.warn({ file: cache.file }, 'dns: no disk cache to serve');
  else
    logger.error(
      { file: cache.file, reason: res.reason, detail: res.detail },
      `dns: refusing the disk cache (${res.reason}): ${res.detail}; it is not served`,
    );
  return undefined;
}

/** Waits for Redis in the background, then hands the store to the role (which switches to it). */
async function followLater(
  role: DnsRole,
  connection: RedisConnection,
  logger: Logger,
  stopped: () => boolean,
  opened: (s: RedisStateStore) => void,
): Promise<void> {
  const live = await waitForStore(connection, logger, stopped);
  if (!live) return;
  opened(live);
  logger.info('dns: Redis answers again; following it');
  // A failed first read is not fatal: the subscription is in place and its serial check catches up.
  await role.follow(live).catch((err: unknown) => logger.warn({ err }, 'dns: first read from Redis failed'));
}

function sourceName(source: ZoneSource | null, redis: boolean): string | null {
  if (source === 'store') return redis ? 'redis' : 'state-file';
  return source;
}

const SOURCES = ['redis', 'state-file', 'disk-cache', 'config'];

function served(metrics: UnderstudyMetrics, source: string | null): void {
  for (const s of SOURCES) metrics.dnsZoneSource.set({ source: s }, s === source ? 1 : 0);
}
