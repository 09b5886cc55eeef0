import { hostname } from 'node:os';
import { MemoryStateStore } from '@understudy/backends';
import type { StateStore } from '@understudy/core';
import { DnsRole } from '@understudy/dns';
import { createMetrics, installCrashHandlers, onShutdown, startOpsServer } from '@understudy/observability';
import { systemClock } from '../embedded.js';
import { dnsQueryCounter } from '../metrics-adapters.js';
import { connectRedis, redisBackends, redisDetail, redisUrl } from '../redis-mode.js';
import { loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface DnsOptions {
  config: string;
  redis?: string;
  logLevel?: string;
}

/**
 * The DNS role on its own. With --redis (or REDIS_URL) it follows the zone state the leading decider
 * writes to Redis, and keeps answering from the last good state while Redis is down. Without a shared
 * backend it serves the state file's last zone state (written by `understudy run`) or, without one, the
 * config with every failover record on its primary.
 */
export async function dnsCommand(opts: DnsOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const url = redisUrl(opts.redis);
  const logger = makeLogger('understudy-dns', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const metrics = createMetrics(undefined, { build: { role: 'dns' } });
  const connection = url ? await connectRedis(url, logger, 'dns') : null;
  const store: StateStore = connection
    ? await redisBackends(connection, logger).openStore()
    : await MemoryStateStore.open({ file: config.state.file, logger });
  // Stable across restarts (host + port), so a restarted server replaces its own publication record.
  const instance = `${hostname()}:${config.listen.dns[0]?.port ?? 0}`;
  const role = await DnsRole.start({
    config,
    store,
    logger,
    clock: systemClock,
    instance,
    onQueries: dnsQueryCounter(metrics).onQueries,
    onServing: (zs) => metrics.zoneSerial.set(zs.serial),
    // Without Redis the state file belongs to `understudy run`: a heartbeat would rewrite it every 10 s
    // with this process's copy. Publications only matter to a decider that shares the store.
    ...(connection ? {} : { publicationHeartbeat: 0 }),
  });
  let closing = false;
  const ops = config.listen.http
    ? await startOpsServer({
        listen: config.listen.http,
        http: config.httpServers,
        logger,
        registry: metrics.registry,
        // Ready while serving a zone state, even with Redis down: the last good answers beat none, and
        // taking every DNS server out of rotation during a Redis outage would turn it into a DNS outage.
        readiness: () => ({
          ready: !closing && role.ready,
          detail: { serial: role.serial, instance, ...(connection ? redisDetail(connection) : {}) },
        }),
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      { name: 'dns', run: () => role.close() },
      { name: 'ops', run: async () => ops?.close() },
      { name: 'store', run: () => store.close() },
      ...(connection ? [{ name: 'redis', run: () => connection.close() }] : []),
    ],
  });
  if (connection)
    logger.info(
      { dns: role.addresses(), ops: ops?.address ?? null, instance, serial: role.serial },
      'understudy dns running (following Redis)',
    );
}
