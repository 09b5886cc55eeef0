/**
 * `understudy dashboard --redis URL`: the dashboard on its own (distributed mode). It reads the shared
 * state through the StateStore in Redis, so any number can run. Actions (overrides, drills, forced plans)
 * need the decider's engine: they are relayed through Redis to whichever decider leads, and answered
 * with 409 when none does.
 */
import { readLeaseHolder } from '@understudy/backends/redis';
import { installCrashHandlers, onShutdown, startOpsServer } from '@understudy/observability';
import { cliMetrics } from '../cli-metrics.js';
import { relayedActions, startDashboard } from '../dashboard-wiring.js';
import { systemClock } from '../embedded.js';
import { parseHostPort } from '../demo/host-port.js';
import { connectRedis, redisBackends, redisDetail, requireRedisUrl } from '../redis-mode.js';
import { CliExit, EXIT_USAGE, loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface DashboardOptions {
  config: string;
  redis?: string;
  listen?: string;
  logLevel?: string;
}

export async function dashboardCommand(opts: DashboardOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const url = requireRedisUrl(opts.redis, 'dashboard');
  const listen = opts.listen ? parseHostPort(opts.listen, '--listen') : config.listen.dashboard;
  if (!listen)
    throw new CliExit(
      'understudy dashboard: set listen.dashboard in the config or pass --listen <host:port>',
      EXIT_USAGE,
    );
  const logger = makeLogger('understudy-dashboard', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const metrics = cliMetrics('dashboard');
  const connection = await connectRedis(url, logger, 'dashboard');
  const backends = redisBackends(connection, logger);
  const store = await backends.openStore();
  const dashboard = await startDashboard({
    listen,
    config,
    configHash: loaded.hash,
    store,
    logger,
    clock: systemClock,
    // Overrides, failback approvals, forced plans and drills go to the leading decider through Redis.
    actions: relayedActions(backends.relay()),
    // The leader as Redis knows it: this process never holds the lease itself.
    lease: () => readLeaseHolder(connection),
  });
  let closing = false;
  const ops = config.listen.http
    ? await startOpsServer({
        listen: config.listen.http,
        http: config.httpServers,
        logger,
        registry: metrics.registry,
        readiness: () => ({
          ready: !closing && connection.health().ok,
          detail: { dashboard: dashboard.server.url, ...redisDetail(connection) },
        }),
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      { name: 'dashboard', run: () => dashboard.close() },
      { name: 'ops', run: async () => ops?.close() },
      { name: 'store', run: () => store.close() },
      { name: 'redis', run: () => connection.close() },
    ],
  });
  logger.info(
    { url: dashboard.server.url, ops: ops?.address ?? null },
    'understudy dashboard running (reading Redis)',
  );
}
