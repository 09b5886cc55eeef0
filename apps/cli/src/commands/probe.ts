import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseListenAddress } from '@understudy/config';
import type { ListenAddress } from '@understudy/core';
import { installCrashHandlers, onShutdown, startOpsServer } from '@understudy/observability';
import { cliMetrics } from '../cli-metrics.js';
import { ProbeRole } from '@understudy/probe';
import { systemClock, systemRandom } from '../embedded.js';
import { connectRedis, redisBackends, redisDetail, requireRedisUrl } from '../redis-mode.js';
import { CliExit, EXIT_USAGE, loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface ProbeOptions {
  config: string;
  region: string;
  redis?: string;
  http?: string;
  logLevel?: string;
}

/** "--http host:port" → address; "off" → none; absent → listen.http from the config. */
export function httpListen(flag: string | undefined, fallback: ListenAddress | null): ListenAddress | null {
  if (flag === undefined) return fallback;
  if (flag === 'off') return null;
  try {
    return parseListenAddress(flag);
  } catch (err) {
    throw new CliExit(`--http: ${(err as Error).message}`, EXIT_USAGE);
  }
}

/**
 * A probe worker for one or more regions (comma-separated), publishing result batches to Redis. While
 * Redis is unreachable it keeps checking and keeps the latest result per check, and publishes on reconnect.
 */
export async function probeCommand(opts: ProbeOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const url = requireRedisUrl(opts.redis, 'probe');
  const regions = opts.region
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const unknown = regions.filter((r) => !config.regions.includes(r));
  if (!regions.length || unknown.length)
    throw new CliExit(
      `--region: ${unknown.length ? unknown.join(', ') : '(none)'} not among the config's regions (${config.regions.join(', ')})`,
      EXIT_USAGE,
    );
  const listen = httpListen(opts.http, config.listen.http);
  const logger = makeLogger('understudy-probe', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const connection = await connectRedis(url, logger, `probe-${regions.join('_')}`);
  const backends = redisBackends(connection, logger);
  const bus = await backends.openBus();
  const probes = ProbeRole.start({
    config,
    regions,
    bus,
    clock: systemClock,
    random: systemRandom,
    logger,
    probeId: `${hostname()}-${randomUUID().slice(0, 8)}`,
    configHash: loaded.hash,
  });
  let closing = false;
  const metrics = cliMetrics('probe');
  const ops = listen
    ? await startOpsServer({
        listen,
        http: config.httpServers,
        logger,
        registry: metrics.registry,
        // Not ready while results cannot reach Redis; the checks keep running meanwhile.
        readiness: () => ({
          ready: !closing && connection.health().ok,
          detail: { regions, ...redisDetail(connection), probes: probes.stats() },
        }),
        status: () => ({ role: 'probe', regions, configHash: loaded.hash, probes: probes.stats() }),
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      // The probes make one last publish attempt of what they hold, so the bus closes after them.
      { name: 'probes', run: () => probes.close() },
      { name: 'bus', run: () => bus.close() },
      { name: 'redis', run: () => connection.close() },
      { name: 'ops', run: async () => ops?.close() },
    ],
  });
  logger.info(
    { regions, ops: ops?.address ?? null, configHash: loaded.hash.slice(0, 12) },
    'understudy probe running',
  );
}
