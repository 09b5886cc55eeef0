import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { MemoryStateStore } from '@understudy/backends';
import type { RedisStateStore } from '@understudy/backends/redis';
import type { StateStore, ZoneOverlay } from '@understudy/core';
import { DnsRole, ZoneCache, type ZoneSource } from '@understudy/dns';
import {
  installCrashHandlers,
  onShutdown,
  startOpsServer,
  type UnderstudyMetrics,
} from '@understudy/observability';
import type { LoadedConfig } from '@understudy/config';
import type { Logger } from '@understudy/core';
import { cliMetrics } from '../cli-metrics.js';
import { systemClock } from '../embedded.js';
import { dnsRoleWiring } from '../dns-wiring.js';
import { dnsQueryCounter } from '../metrics-adapters.js';
import { redisDetail, redisUrl } from '../redis-mode.js';
import { lazyRedisConnection, storeWithin, waitForStore } from './dns-redis.js';
import { loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface DnsOptions {
  config: string;
  redis?: string;
  logLevel?: string;
  /** Overrides dns.cacheFile; "" turns the cache off. */
  cacheFile?: string;
}

/**
 * How long a start waits for Redis before serving the disk cache. Short: a DNS server that is not
 * answering is the outage, and the cache is replaced by the live state as soon as Redis answers.
 */
const STARTUP_WAIT_MS = 2_000;

/**
 * The DNS role on its own. With --redis (or REDIS_URL) it follows the zone state the leading decider
 * writes to Redis, keeps answering from the last good state while Redis is down, and saves every state it
 * serves to its disk cache; started while Redis is down, it serves that cache (readiness: source
 * disk-cache, degraded) and switches to Redis when it answers. Without a shared backend it serves the
 * state file's last zone state (written by `understudy run`) or, without one, the config on primaries.
 */
export async function dnsCommand(opts: DnsOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const url = redisUrl(opts.redis);
  const logger = makeLogger('understudy-dns', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const metrics = cliMetrics('dns');
  const connection = url ? await lazyRedisConnection(url, logger) : null;
  // Stable across restarts (host + port), so a restarted server replaces its own publication record.
  const instance = `${hostname()}:${config.listen.dns[0]?.port ?? 0}`;
  const cache = connection ? zoneCache(loaded, opts.cacheFile, logger) : null;
  let closing = false;
  let role: DnsRole | undefined;
  let store: StateStore | null = null;
  const ops = config.listen.http
    ? await startOpsServer({
        listen: config.listen.http,
        http: config.httpServers,
        logger,
        registry: metrics.registry,
        // Ready while serving a zone state, even with Redis down: the last good answers beat none, and
        // taking every DNS server out of rotation during a Redis outage would turn it into a DNS outage.
        readiness: () => ({
          ready: !closing && (role?.ready ?? false),
          detail: {
            serial: role?.serial ?? null,
            instance,
            source: sourceName(role?.source ?? null, connection !== null),
            degraded: role?.source === 'disk-cache',
            ...(cache ? { cacheFile: cache.file } : {}),
            ...(connection ? redisDetail(connection) : {}),
          },
        }),
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      { name: 'dns', run: async () => role?.close() },
      { name: 'ops', run: async () => ops?.close() },
      { name: 'store', run: async () => store?.close() },
      ...(connection ? [{ name: 'redis', run: () => connection.close() }] : []),
    ],
  });
  const common = {
    config,
    logger,
    clock: systemClock,
    instance,
    onQueries: dnsQueryCounter(metrics).onQueries,
    ...dnsRoleWiring(loaded, metrics, systemClock, (o: ZoneOverlay, source: ZoneSource) =>
      served(metrics, o, sourceName(source, !!connection)),
    ),
    ...(cache ? { cache } : {}),
  };
  if (!connection) {
    store = await MemoryStateStore.open({ file: config.state.file, logger });
    // Without Redis the state file belongs to `understudy run`: a heartbeat would rewrite it every 10 s
    // with this process's copy. Publications only matter to a decider that shares the store.
    role = await DnsRole.start({ ...common, store, publicationHeartbeat: 0 });
    return;
  }
  const stopped = () => closing;
  let live: RedisStateStore | null = await storeWithin(connection, logger, STARTUP_WAIT_MS).catch(
    (err: unknown) => {
      logger.error({ err }, 'dns: Redis refused this server');
      return null;
    },
  );
  const cached = live ? undefined : await loadCache(cache, logger);
  if (!live && !cached) {
    logger.warn('dns: Redis not reachable and no usable disk cache: not serving until Redis answers');
    live = await waitForStore(connection, logger, stopped);
    if (!live) return;
  }
  store = live;
  role = await DnsRole.start({ ...common, store: live, ...(cached ? { cached } : {}) });
  if (!live) void followLater(role, connection, logger, stopped, (s) => (store = s));
  logger.info(
    { dns: role.addresses(), ops: ops?.address ?? null, instance, serial: role.serial, source: role.source },
    live ? 'understudy dns running (following Redis)' : 'understudy dns running (disk cache; Redis down)',
  );
}

function zoneCache(loaded: LoadedConfig, flag: string | undefined, logger: Logger): ZoneCache | null {
  const file = flag !== undefined ? (flag.trim() === '' ? null : resolve(flag)) : loaded.config.dns.cacheFile;
  if (!file) return null;
  const zones = loaded.config.zones.map((z) => z.apex);
  return new ZoneCache({ file, configHash: loaded.hash, zones, logger });
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
  connection: Parameters<typeof waitForStore>[0],
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

function served(metrics: UnderstudyMetrics, _overlay: ZoneOverlay, source: string | null): void {
  for (const s of SOURCES) metrics.dnsZoneSource.set({ source: s }, s === source ? 1 : 0);
}
