/**
 * Embedded mode: every role in one process over the in-process backends. This is `understudy run`
 * without --redis, and what the demo runs.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { MemoryLease, MemoryResultsBus, MemoryStateStore } from '@understudy/backends';
import type { LoadedConfig } from '@understudy/config';
import type { Clock, EngineOutput, Logger, Random, ZoneOverlay } from '@understudy/core';
import { DeciderRole } from '@understudy/decider';
import { DnsRole } from '@understudy/dns';
import { startOpsServer } from '@understudy/observability';
import { cliMetrics } from './cli-metrics.js';
import { ProbeRole } from '@understudy/probe';
import { adminActions } from './admin-actions.js';
import { dnsRoleWiring } from './dns-wiring.js';
import { createLocalActions, startDashboard, type RunningDashboard } from './dashboard-wiring.js';
import { LeaderServices, providersFromConfig } from './leader-services.js';
import { deciderMetrics, dnsQueryCounter, leaseMetrics } from './metrics-adapters.js';

export interface EmbeddedOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: Clock;
  random?: Random;
  onOutput?: (out: EngineOutput) => void;
  /** Called when the DNS server starts serving a new overlay (read-only). */
  onServing?: (overlay: ZoneOverlay) => void;
  /** The decider stopped deciding (lease lost, or fenced by a newer epoch). */
  onStandDown?: (reason: string) => void;
}

export interface Embedded {
  store: MemoryStateStore;
  dns: DnsRole;
  decider: DeciderRole;
  probes: ProbeRole;
  services: LeaderServices;
  dashboard: RunningDashboard | null;
  opsAddress: { host: string; port: number } | null;
  readonly ready: boolean;
  close(): Promise<void>;
}

export const systemClock: Clock = { now: () => Date.now() };
export const systemRandom: Random = { next: () => Math.random() };

export async function startEmbedded(opts: EmbeddedOptions): Promise<Embedded> {
  const { config, hash } = opts.loaded;
  const clock = opts.clock ?? systemClock;
  const log = opts.logger;
  const metrics = cliMetrics('run');
  const store = await MemoryStateStore.open({
    file: config.state.file,
    logger: log.child({ component: 'store' }),
  });
  const bus = new MemoryResultsBus({ logger: log.child({ component: 'bus' }) });
  const holder = `${hostname()}/${process.pid}`;
  const lease = new MemoryLease({ store, holder });
  const random = opts.random ?? systemRandom;
  const queries = dnsQueryCounter(metrics);
  const closers: (() => Promise<void>)[] = [() => store.close()];
  const closeAll = async (): Promise<void> => {
    for (const close of closers.reverse()) {
      await close().catch((err: unknown) => log.error({ err }, 'close failed'));
    }
  };
  try {
    const dns = await DnsRole.start({
      config,
      store,
      clock,
      logger: log.child({ role: 'dns' }),
      instance: hostname(),
      onQueries: queries.onQueries,
      ...dnsRoleWiring(opts.loaded, metrics, clock, opts.onServing),
    });
    closers.push(() => dns.close());
    closers.push(() => bus.close());
    const services = new LeaderServices({
      config,
      providers: await providersFromConfig(config, log.child({ role: 'decider' }), clock, random),
      store,
      clock,
      random,
      logger: log.child({ role: 'decider' }),
      metrics,
    });
    closers.push(() => services.close());
    const decider = await DeciderRole.start({
      attach: services.attach,
      config,
      bus,
      store,
      lease,
      clock,
      logger: log.child({ role: 'decider' }),
      metrics: deciderMetrics(metrics, config),
      ...(opts.onOutput ? { onOutput: opts.onOutput } : {}),
      ...(opts.onStandDown ? { onStandDown: opts.onStandDown } : {}),
    });
    closers.push(() => decider.close());
    leaseMetrics(metrics, holder).onChange(true, { epoch: decider.epoch });
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
      decider: () => (decider.ready ? decider : null),
      services,
      dnsServers: () => dns.addresses().udp.map((a) => ({ host: a.address, port: a.port })),
    });
    // Before the decider closes: a running drill restores its override through it.
    closers.push(() => local.close());
    const dashboard = config.listen.dashboard
      ? await startDashboard({
          listen: config.listen.dashboard,
          config,
          configHash: hash,
          store,
          clock,
          logger: log.child({ role: 'dashboard' }),
          actions: local.actions,
          lease: () => Promise.resolve({ holder, epoch: decider.epoch }),
        })
      : null;
    if (dashboard) closers.push(() => dashboard.close());
    let closing = false;
    const ops = config.listen.http
      ? await startOpsServer({
          listen: config.listen.http,
          http: config.httpServers,
          logger: log.child({ component: 'ops' }),
          registry: metrics.registry,
          readiness: () => ({
            ready: !closing && dns.ready && decider.ready,
            detail: { dnsSerial: dns.serial, decider: decider.ready },
          }),
          status: () => decider.status(),
          admin: { tokens: config.admin.tokens, actions: adminActions(config, decider) },
        })
      : null;
    // The ops endpoint closes last, so /readyz answers 503 while everything else drains.
    return {
      store,
      dns,
      decider,
      probes,
      services,
      dashboard,
      opsAddress: ops?.address ?? null,
      get ready() {
        return !closing && dns.ready && decider.ready;
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
