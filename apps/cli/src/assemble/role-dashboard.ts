/**
 * The dashboard of a process. Its actions are the decider's when this process runs one (local, or relayed
 * to the leader while this one stands by); a dashboard alone relays every action through Redis.
 */
import { readLeaseHolder } from '@understudy/backends/redis';
import type { DashboardActions } from '@understudy/dashboard';
import { relayedActions, startDashboard } from '../dashboard-wiring.js';
import { isReloadable } from './reload.js';
import type { AssemblyContext, RolePart } from './types.js';

export async function startDashboardPart(
  ctx: AssemblyContext,
  reload: DashboardActions['reload'],
): Promise<RolePart | null> {
  const { opts, backend, clock, stack } = ctx;
  const loaded = ctx.current();
  const listen = opts.dashboardListen !== undefined ? opts.dashboardListen : loaded.config.listen.dashboard;
  if (!listen) return null;
  const decider = ctx.parts.get('decider');
  const connection = backend.connection;
  const base = decider?.dashboardActions ?? (backend.redis ? relayedActions(backend.redis.relay()) : null);
  if (!base) throw new Error('assemble: a dashboard without a decider needs the Redis backend');
  const lease = decider?.lease ?? (connection ? () => readLeaseHolder(connection) : undefined);
  const dashboard = await startDashboard({
    listen,
    config: loaded.config,
    configHash: loaded.hash,
    store: await backend.store(),
    clock,
    logger: ctx.log('dashboard'),
    // A reload applies to this process, whatever its decider does.
    actions: reload ? { ...base, reload } : base,
    ...(lease ? { lease } : {}),
  });
  await stack.push('dashboard', () => dashboard.close());
  return {
    name: 'dashboard',
    handle: () => dashboard,
    reloadTarget: () => (isReloadable(dashboard) ? dashboard : dashboard.server),
    ...(connection && !decider ? { ready: () => connection.health().ok } : {}),
    detail: () => ({ dashboard: dashboard.server.url }),
  };
}
