/**
 * The decider role of a process, with what runs beside it: provider sync and webhooks (LeaderServices),
 * the operator actions (drills included) and, over Redis, the relay that answers other dashboards' actions
 * while this process leads. In memory mode it is the only decider; over Redis it competes for the lease.
 */
import { readLeaseHolder, type ActionHandler, type RedisStateStore } from '@understudy/backends/redis';
import { StateConflictError, statusView, type StateStore } from '@understudy/core';
import { DeciderLeadership, DeciderRole } from '@understudy/decider';
import { onHeapReleased } from '@understudy/dns';
import { adminActions, leaderActions } from '../admin-actions.js';
import { actionHandler, createLocalActions, localOrRelayed, relayedActions } from '../dashboard-wiring.js';
import { LeaderServices, providersFromConfig, type LeaderServicesOptions } from '../leader-services.js';
import { deciderMetrics, leaseMetrics, pollQueueDepth } from '../metrics-adapters.js';
import { refusedWritesOf } from '../redis-mode.js';
import type { AssemblyContext, Reloadable, RolePart } from './types.js';

export async function startDeciderPart(ctx: AssemblyContext): Promise<RolePart> {
  return ctx.backend.kind === 'memory' ? startMemoryDecider(ctx) : startRedisDecider(ctx);
}

/** What a drill queries: this process's DNS server when it runs one, else listen.dns of the config. */
function dnsServers(ctx: AssemblyContext) {
  const dns = ctx.parts.get('dns')?.reloadTarget() as
    { addresses(): { udp: { address: string; port: number }[] } } | null | undefined;
  return dns ? { dnsServers: () => dns.addresses().udp.map((a) => ({ host: a.address, port: a.port })) } : {};
}

/**
 * Issue 11: a DNS role beside this decider gives its start-up heap back (apps/dns heap-release.ts), after
 * which the decider rehearses again (DeciderRole.rewarm).
 */
function rewarmAfterHeapReleases(role: () => DeciderRole | null): () => void {
  const off = onHeapReleased(() => role()?.rewarm());
  return () => void off();
}

async function startMemoryDecider(ctx: AssemblyContext): Promise<RolePart> {
  const { backend, clock, metrics, stack, opts } = ctx;
  const { config } = ctx.current();
  const log = ctx.log('decider');
  const store = await backend.store();
  const bus = await backend.bus();
  const services = await leaderServices(ctx, store);
  const decider = await DeciderRole.start({
    attach: services.attach,
    config,
    bus,
    store,
    lease: await backend.memoryLease(),
    clock,
    logger: log,
    metrics: deciderMetrics(metrics, config),
    ...(opts.hooks?.onOutput ? { onOutput: opts.hooks.onOutput } : {}),
    ...(opts.hooks?.onStandDown ? { onStandDown: opts.hooks.onStandDown } : {}),
  });
  const stopRewarm = rewarmAfterHeapReleases(() => decider);
  await stack.push('decider', () => {
    stopRewarm();
    return decider.close();
  });
  leaseMetrics(metrics, backend.holder).onChange(true, { epoch: decider.epoch });
  const local = createLocalActions({
    config,
    clock,
    metrics,
    logger: ctx.log('dashboard'),
    decider: () => (decider.ready ? decider : null),
    services,
    ...dnsServers(ctx),
  });
  // Before the decider closes: a running drill restores its override through it.
  await stack.push('drills', () => local.close());
  return {
    name: 'decider',
    handle: () => decider,
    reloadTarget: () => withSync(services, decider),
    // Embedded mode has one decider: without it nothing decides.
    ready: () => decider.ready,
    detail: () => ({ decider: decider.ready }),
    status: (filter) => decider.status(filter),
    adminActions: adminActions(config, decider),
    dashboardActions: local.actions,
    raise: (e) => (decider.ready ? decider.raise(e) : null),
    lease: () => Promise.resolve({ holder: backend.holder, epoch: decider.epoch }),
  };
}

async function startRedisDecider(ctx: AssemblyContext): Promise<RolePart> {
  const { backend, clock, metrics, stack, opts } = ctx;
  const redis = backend.redis!;
  const connection = backend.connection!;
  const loaded = ctx.current();
  const { config } = loaded;
  const log = ctx.log('decider');
  const ttl = opts.leaseTtl ?? config.decider.leaseTtl;
  const store = (await backend.store()) as RedisStateStore;
  // Provider sync, webhooks and the actions relayed from dashboards run only while this decider leads.
  const relay = redis.relay();
  let handler: ActionHandler | null = null;
  const services = await leaderServices(ctx, store, () =>
    relay.serve((kind, payload) =>
      handler ? handler(kind, payload) : Promise.reject(new StateConflictError('the decider is starting')),
    ),
  );
  const leadership = DeciderLeadership.start({
    attach: services.attach,
    onChange: leaseMetrics(metrics, backend.holder).onChange,
    config,
    store,
    lease: redis.lease(backend.holder, ttl),
    leaseTtl: ttl,
    clock,
    logger: log,
    metrics: deciderMetrics(metrics, config),
    configHash: loaded.hash,
    // A standby tries several times per TTL, so it takes over soon after the grant expires.
    acquireInterval: Math.max(100, Math.floor(ttl / 5)),
    openBus: () => redis.openBus(),
    refusedWrites: refusedWritesOf(store),
    ...(opts.hooks?.onOutput ? { onOutput: opts.hooks.onOutput } : {}),
  });
  // understudy_queue_depth, read from a bus of its own so it works on a standby too.
  const depthBus = await redis.openBus();
  const depth = pollQueueDepth(metrics, 'results', () => depthBus.jobCounts());
  // Side by side: each waits at most its close bound while Redis is down, and SIGTERM has one budget.
  // Closing the leadership releases the lease, so a standby takes over at once.
  const stopRewarm = rewarmAfterHeapReleases(() => leadership.role);
  await stack.push('decider and queue depth', async () => {
    stopRewarm();
    depth.close();
    await Promise.all([leadership.close(), depthBus.close()]);
  });
  const local = createLocalActions({
    config,
    clock,
    metrics,
    logger: ctx.log('dashboard'),
    decider: () => leadership.role,
    services,
    ...dnsServers(ctx),
  });
  handler = actionHandler(local.actions);
  await stack.push('drills', () => local.close());
  return {
    name: 'decider',
    handle: () => leadership,
    reloadTarget: () => withSync(services, leadership),
    // Ready means "leading or able to lead": a standby whose lease attempts run and reach Redis.
    ready: () => leadership.leading || (leadership.competing && connection.health().ok),
    detail: () => ({
      role: leadership.leading ? 'leader' : 'standby',
      decider: leadership.leading ? 'leader' : 'standby',
      competing: leadership.competing,
      epoch: leadership.epoch,
    }),
    status: async (filter) => {
      const role = leadership.role;
      if (role) return { ...role.status(filter), role: 'leader' };
      const [st, pubs] = await Promise.all([store.loadDecider(), store.readPublications()]);
      return st
        ? { ...statusView(ctx.current().config, st, clock.now(), pubs, filter), role: 'standby' }
        : { role: 'standby', state: null };
    },
    adminActions: leaderActions(config, leadership),
    // Local while this process leads; otherwise relayed to whichever decider does.
    dashboardActions: localOrRelayed(local.actions, relayedActions(relay), () => leadership.leading),
    raise: (e) => leadership.role?.raise(e) ?? null,
    // This process's term while it leads; otherwise whichever decider holds the lease in Redis.
    lease: () =>
      leadership.role
        ? Promise.resolve({ holder: backend.holder, epoch: leadership.role.epoch })
        : readLeaseHolder(connection),
  };
}

/** Provider sync and webhooks, attached to whichever DeciderRole leads in this process. */
async function leaderServices(
  ctx: AssemblyContext,
  store: StateStore,
  perTerm?: LeaderServicesOptions['perTerm'],
): Promise<LeaderServices> {
  const { config } = ctx.current();
  const log = ctx.log('decider');
  const services = new LeaderServices({
    config,
    providers: await providersFromConfig(config, log, ctx.clock, ctx.random),
    store,
    clock: ctx.clock,
    random: ctx.random,
    logger: log,
    metrics: ctx.metrics,
    ...(perTerm ? { perTerm } : {}),
  });
  await ctx.stack.push('webhooks and providers', () => services.close());
  return services;
}

/**
 * What a reload hands the config to: the decider (or the leadership, which passes it to its term and
 * keeps it for the next), with provider sync stopped around it and rebuilt when targets, sync or zones
 * changed (LeaderServices.applyConfig). The lease and epoch stay.
 */
function withSync(services: LeaderServices, decider: Reloadable): Reloadable {
  return {
    applyConfig: (loaded) => services.applyConfig(loaded.config, () => decider.applyConfig(loaded)),
  };
}
