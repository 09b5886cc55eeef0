import { parseDuration } from '@understudy/config';
import { DeciderLeadership } from '@understudy/decider';
import { StateConflictError, statusView, type UnderstudyConfig } from '@understudy/core';
import type { ActionHandler } from '@understudy/backends/redis';
import { installCrashHandlers, onShutdown, startOpsServer } from '@understudy/observability';
import { cliMetrics } from '../cli-metrics.js';
import { leaderActions } from '../admin-actions.js';
import { systemClock, systemRandom } from '../embedded.js';
import { actionHandler, createLocalActions } from '../dashboard-wiring.js';
import { LeaderServices, providersFromConfig } from '../leader-services.js';
import { deciderMetrics, leaseMetrics, pollQueueDepth } from '../metrics-adapters.js';
import {
  connectRedis,
  instanceName,
  redisBackends,
  redisDetail,
  refusedWritesOf,
  requireRedisUrl,
} from '../redis-mode.js';
import { httpListen } from './probe.js';
import { CliExit, EXIT_USAGE, loadOrExit, logWarnings, makeLogger } from './shared.js';

export interface DeciderOptions {
  config: string;
  redis?: string;
  http?: string;
  leaseTtl?: string;
  logLevel?: string;
}

/** --lease-ttl as a config duration (5s, 1500ms; a bare number is seconds), else decider.leaseTtl. */
export function leaseTtlMs(flag: string | undefined, config: UnderstudyConfig): number {
  if (flag === undefined) return config.decider.leaseTtl;
  let ms: number;
  try {
    ms = parseDuration(flag);
  } catch (err) {
    throw new CliExit(`--lease-ttl: ${(err as Error).message}`, EXIT_USAGE);
  }
  if (ms < 1000) throw new CliExit(`--lease-ttl: "${flag}" is shorter than 1s`, EXIT_USAGE);
  return ms;
}

/** A decider: the leader while it holds the lease in Redis, a hot standby otherwise. */
export async function deciderCommand(opts: DeciderOptions): Promise<void> {
  const loaded = await loadOrExit(opts.config);
  const { config } = loaded;
  const url = requireRedisUrl(opts.redis, 'decider');
  const ttl = leaseTtlMs(opts.leaseTtl, config);
  const listen = httpListen(opts.http, config.listen.http);
  const logger = makeLogger('understudy-decider', opts.logLevel ?? config.logging.level);
  installCrashHandlers(logger);
  logWarnings(loaded, logger);
  const holder = instanceName('decider');
  const connection = await connectRedis(url, logger, 'decider');
  const backends = redisBackends(connection, logger);
  const store = await backends.openStore();
  const metrics = cliMetrics('decider');
  const refusedWrites = refusedWritesOf(store);
  // Provider sync, webhooks and the actions relayed from dashboards run only while this decider leads.
  const relay = backends.relay();
  let handler: ActionHandler | null = null;
  const services = new LeaderServices({
    config,
    providers: await providersFromConfig(config, logger, systemClock, systemRandom),
    store,
    clock: systemClock,
    random: systemRandom,
    logger,
    metrics,
    perTerm: () =>
      relay.serve((kind, payload) =>
        handler ? handler(kind, payload) : Promise.reject(new StateConflictError('the decider is starting')),
      ),
  });
  const leaseGauge = leaseMetrics(metrics, holder);
  const leadership = DeciderLeadership.start({
    attach: services.attach,
    onChange: leaseGauge.onChange,
    config,
    store,
    lease: backends.lease(holder, ttl),
    leaseTtl: ttl,
    clock: systemClock,
    logger,
    metrics: deciderMetrics(metrics, config),
    configHash: loaded.hash,
    // A standby tries several times per TTL, so it takes over soon after the grant expires.
    acquireInterval: Math.max(100, Math.floor(ttl / 5)),
    openBus: () => backends.openBus(),
    refusedWrites,
  });
  // understudy_queue_depth, read from a bus of its own so it works on a standby too.
  const depthBus = await backends.openBus();
  const depth = pollQueueDepth(metrics, 'results', () => depthBus.jobCounts());
  // Drills started from a dashboard run here; their DNS timing queries listen.dns of this config.
  const local = createLocalActions({
    config,
    clock: systemClock,
    metrics,
    logger,
    decider: () => leadership.role,
    services,
  });
  handler = actionHandler(local.actions);
  let closing = false;
  const ops = listen
    ? await startOpsServer({
        listen,
        http: config.httpServers,
        logger,
        registry: metrics.registry,
        // Ready means "leading or able to lead": a standby whose lease attempts run and reach Redis.
        readiness: () => ({
          ready: !closing && (leadership.leading || (leadership.competing && connection.health().ok)),
          detail: {
            role: leadership.leading ? 'leader' : 'standby',
            competing: leadership.competing,
            epoch: leadership.epoch,
            ...redisDetail(connection),
          },
        }),
        status: async () => {
          const role = leadership.role;
          if (role) return { ...role.status(), role: 'leader' };
          const [st, pubs] = await Promise.all([store.loadDecider(), store.readPublications()]);
          return st
            ? { ...statusView(config, st, systemClock.now(), pubs), role: 'standby' }
            : { role: 'standby', state: null };
        },
        admin: { tokens: config.admin.tokens, actions: leaderActions(config, leadership) },
      })
    : null;
  onShutdown({
    logger,
    steps: [
      { name: 'readiness', run: () => Promise.resolve(void (closing = true)) },
      // Releases the lease, so the standby takes over at once.
      { name: 'drills', run: () => local.close() },
      // Side by side: each waits at most its close bound while Redis is down, and SIGTERM has one budget.
      {
        name: 'decider and queue depth',
        run: async () => {
          depth.close();
          await Promise.all([leadership.close(), depthBus.close()]);
        },
      },
      { name: 'webhooks and providers', run: () => services.close() },
      { name: 'store', run: () => store.close() },
      { name: 'redis', run: () => connection.close() },
      { name: 'ops', run: async () => ops?.close() },
    ],
  });
  logger.info(
    { holder, leaseTtl: ttl, ops: ops?.address ?? null, configHash: loaded.hash.slice(0, 12) },
    'understudy decider running',
  );
}
