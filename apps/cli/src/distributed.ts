/**
 * `understudy run --redis URL`: every role in one process, over Redis instead of the in-process backends.
 * Several such processes (or role processes) can share one Redis: one decider leads, the others stand by.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { LoadedConfig } from '@understudy/config';
import {
  StateConflictError,
  type Clock,
  type EngineOutput,
  type Logger,
  type Random,
  type ZoneOverlay,
} from '@understudy/core';
import { readLeaseHolder, type ActionHandler } from '@understudy/backends/redis';
import { DeciderLeadership } from '@understudy/decider';
import { DnsRole } from '@understudy/dns';
import { startOpsServer } from '@understudy/observability';
import { cliMetrics } from './cli-metrics.js';
import { ProbeRole } from '@understudy/probe';
import { systemClock, systemRandom } from './embedded.js';
import { leaderActions } from './admin-actions.js';
import { dnsRoleWiring } from './dns-wiring.js';
import {
  actionHandler,
  createLocalActions,
  localOrRelayed,
  relayedActions,
  startDashboard,
  type RunningDashboard,
} from './dashboard-wiring.js';
import { LeaderServices, providersFromConfig } from './leader-services.js';
import { deciderMetrics, dnsQueryCounter, leaseMetrics, pollQueueDepth } from './metrics-adapters.js';
import { connectRedis, instanceName, redisBackends, redisDetail, refusedWritesOf } from './redis-mode.js';

export interface DistributedOptions {
  loaded: LoadedConfig;
  logger: Logger;
  redisUrl: string;
  clock?: Clock;
  random?: Random;
  /** Called after each output of this process's decider (while it leads) is persisted. */
  onOutput?: (out: EngineOutput) => void;
  /** Called when this process's DNS server starts serving a new zone state. */
  /** Called when the DNS server starts serving a new overlay (read-only). */
  onServing?: (overlay: ZoneOverlay) => void;
}

export interface Distributed {
  dns: DnsRole;
  decider: DeciderLeadership;
  probes: ProbeRole;
  services: LeaderServices;
  dashboard: RunningDashboard | null;
  opsAddress: { host: string; port: number } | null;
  readonly ready: boolean;
  close(): Promise<void>;
}

export async function startDistributed(opts: DistributedOptions): Promise<Distributed> {
  const { config, hash } = opts.loaded;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const metrics = cliMetrics('run');
  const connection = await connectRedis(opts.redisUrl, log, 'run');
  const backends = redisBackends(connection, log);
  const closers: (() => Promise<void>)[] = [() => connection.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse())
      await close().catch((err: unknown) => log.error({ err }, 'close failed'));
  };
  try {
    const store = await backends.openStore();
    closers.push(() => store.close());
    const dns = await DnsRole.start({
      config,
      store,
      clock,
      logger: log.child({ role: 'dns' }),
      instance: `${hostname()}:${config.listen.dns[0]?.port ?? 0}`,
      onQueries: dnsQueryCounter(metrics).onQueries,
      ...dnsRoleWiring(opts.loaded, metrics, clock, opts.onServing),
    });
    closers.push(() => dns.close());
    const refusedWrites = refusedWritesOf(store);
    const random = opts.random ?? systemRandom;
    // The leader answers the actions other processes' dashboards relay through Redis.
    const relay = backends.relay();
    let handler: ActionHandler | null = null;
    const services = new LeaderServices({
      config,
      providers: await providersFromConfig(config, log.child({ role: 'decider' }), clock, random),
      store,
      clock,
      random,
      logger: log.child({ role: 'decider' }),
      metrics,
      perTerm: () =>
        relay.serve((kind, payload) =>
          handler
            ? handler(kind, payload)
            : Promise.reject(new StateConflictError('the decider is starting')),
        ),
    });
    closers.push(() => services.close());
    const holder = instanceName('run');
    const decider = DeciderLeadership.start({
      attach: services.attach,
      onChange: leaseMetrics(metrics, holder).onChange,
      config,
      store,
      lease: backends.lease(holder, config.decider.leaseTtl),
      leaseTtl: config.decider.leaseTtl,
      clock,
      logger: log.child({ role: 'decider' }),
      metrics: deciderMetrics(metrics, config),
      configHash: hash,
      acquireInterval: Math.max(100, Math.floor(config.decider.leaseTtl / 5)),
      openBus: () => backends.openBus(),
      refusedWrites,
      ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
    });
    closers.push(() => decider.close());
    const bus = await backends.openBus();
    closers.push(() => bus.close());
    const depth = pollQueueDepth(metrics, 'results', () => bus.jobCounts());
    closers.push(() => Promise.resolve(depth.close()));
    const probes = ProbeRole.start({
      config,
      regions: config.regions,
      bus,
      clock,
      random,
      logger: log.child({ role: 'probe' }),
      probeId: `${hostname()}-${randomUUID().slice(0, 8)}`,
      configHash: hash,
    });
    closers.push(() => probes.close());
    const local = createLocalActions({
      config,
      clock,
      metrics,
      logger: log.child({ role: 'dashboard' }),
      decider: () => decider.role,
      services,
      dnsServers: () => dns.addresses().udp.map((a) => ({ host: a.address, port: a.port })),
    });
    handler = actionHandler(local.actions);
    closers.push(() => local.close());
    const dashboard = config.listen.dashboard
      ? await startDashboard({
          listen: config.listen.dashboard,
          config,
          configHash: hash,
          store,
          clock,
          logger: log.child({ role: 'dashboard' }),
          // Local while this process leads; otherwise relayed to whichever decider does.
          actions: localOrRelayed(local.actions, relayedActions(relay), () => decider.leading),
          // This process's term while it leads; otherwise whichever decider holds the lease in Redis.
          lease: () =>
            decider.role
              ? Promise.resolve({ holder, epoch: decider.role.epoch })
              : readLeaseHolder(connection),
        })
      : null;
    if (dashboard) closers.push(() => dashboard.close());
    let closing = false;
    const ready = () => !closing && dns.ready;
    const ops = config.listen.http
      ? await startOpsServer({
          listen: config.listen.http,
          http: config.httpServers,
          logger: log.child({ component: 'ops' }),
          registry: metrics.registry,
          readiness: () => ({
            ready: ready(),
            detail: {
              dnsSerial: dns.serial,
              decider: decider.leading ? 'leader' : 'standby',
              ...redisDetail(connection),
            },
          }),
          status: () => decider.role?.status() ?? { role: 'standby' },
          admin: { tokens: config.admin.tokens, actions: leaderActions(config, decider) },
        })
      : null;
    return {
      dns,
      decider,
      probes,
      services,
      dashboard,
      opsAddress: ops?.address ?? null,
      get ready() {
        return ready();
      },
      async close() {
        if (closing) return;
        closing = true;
        await closeAll();
        await ops?.close();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
