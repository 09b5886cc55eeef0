/**
 * The dashboard (API, SSE and web UI) wired to a process's store and, where this process runs the
 * decider, to its actions: overrides, failback approval, forced plans (provider sync) and drills.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  StateConflictError,
  type Actor,
  type ApplyReport,
  type Clock,
  type ListenAddress,
  type Logger,
  type StateStore,
  type UnderstudyConfig,
} from '@understudy/core';
import {
  createDashboardServer,
  StoreSource,
  type DashboardActions,
  type DashboardServer,
} from '@understudy/dashboard';
import type { DeciderRole } from '@understudy/decider';
import { DrillRegistry } from '@understudy/drill';
import { queryUdp } from '@understudy/dns-server';
import type { UnderstudyMetrics } from '@understudy/observability';
import type { LeaderServices } from './leader-services.js';
import { VERSION } from './version.js';

/** The built UI next to the bundled CLI (dist/web), or none when running from source without a build. */
export function defaultWebRoot(): string | null {
  const dir = fileURLToPath(new URL('./web/', import.meta.url));
  return existsSync(`${dir}index.html`) ? dir : null;
}

export interface DashboardWiringOptions {
  listen: ListenAddress;
  config: UnderstudyConfig;
  configHash: string;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  metrics: UnderstudyMetrics;
  /** The leading decider in this process, or null (standby, or a dashboard-only process). */
  decider: () => DeciderRole | null;
  services: LeaderServices | null;
  /** The DNS servers a drill times (the bound addresses); none = config.listen.dns. */
  dnsServers?: () => ListenAddress[];
  lease?: () => Promise<{ holder: string; epoch: number } | null>;
  webRoot?: string | null;
}

export class NotLeadingError extends StateConflictError {}

export interface RunningDashboard {
  server: DashboardServer;
  drills: DrillRegistry;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardWiringOptions): Promise<RunningDashboard> {
  const log = opts.logger;
  const leader = (): DeciderRole => {
    const d = opts.decider();
    if (!d)
      throw new NotLeadingError(
        'this process does not run the leading decider: send actions to the dashboard of the leader (understudy run or decider with a dashboard)',
      );
    return d;
  };
  const drills = new DrillRegistry({
    logger: log.child({ component: 'drill' }),
    metrics: opts.metrics,
    deps: {
      config: opts.config,
      setOverride: (record, answer, mode, actor) => leader().setOverride(record, answer, mode, actor),
      approveFailback: (record, actor) => leader().approveFailback(record, actor),
      queryDns: (server, name, type) => queryUdp(server, name, type, 1000),
      readRecord: (id) => {
        const rs = leader().engine.state.records[id];
        if (!rs) throw new Error(`no record state for ${id}`);
        return rs;
      },
      ...(opts.dnsServers ? { dnsServers: opts.dnsServers() } : {}),
      clock: opts.clock,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      timeoutMs: Math.max(30_000, opts.config.decider.tickInterval * 20),
    },
    onReport: (r) => {
      if (r.status === 'running') return;
      opts
        .decider()
        ?.raise({
          type: 'drill-finished',
          severity: r.status === 'done' ? 'info' : 'warning',
          record: r.record,
          message: `Drill ${r.id} on ${r.record} ${r.status === 'done' ? 'finished' : `failed: ${r.error ?? ''}`}`,
          evidence: { drill: r.id, targets: r.targets, from: r.from, to: r.to },
        })
        .catch((err: unknown) => log.warn({ err }, 'drill: could not record its event'));
    },
  });
  const actions: DashboardActions = {
    setOverride: (record, answer, mode, actor) => leader().setOverride(record, answer, mode, actor),
    approveFailback: (record, actor) => leader().approveFailback(record, actor),
    releaseGuard: (actor) => leader().releaseGuard(actor),
    forcePlan: async (target: string, actor: Actor): Promise<ApplyReport[]> => {
      const role = leader();
      if (!opts.services) throw new NotLeadingError('provider sync is not running in this process');
      await role.raise({
        type: 'plan-forced',
        severity: 'warning',
        target,
        actor,
        message: `${actor.name} forced the current plan of ${target} once (${actor.reason})`,
        evidence: {},
      });
      const results = await opts.services.force(target);
      return results.flatMap((r) => r.reports);
    },
    startDrill: async (req) => {
      const role = leader();
      const started = drills.start({ recordId: req.recordId, target: req.target ?? null, actor: req.actor });
      await role.raise({
        type: 'drill-started',
        severity: 'info',
        record: drills.get(started.id)?.record ?? req.recordId,
        message: `Drill ${started.id} started on ${req.recordId} by ${req.actor.name}: ${req.actor.reason}`,
        evidence: {
          drill: started.id,
          target: req.target ?? null,
          actor: req.actor.name,
          reason: req.actor.reason,
        },
      });
      return started;
    },
    drill: (id) => Promise.resolve(drills.get(id)),
    drills: () => Promise.resolve(drills.list()),
  };
  const source = new StoreSource({
    store: opts.store,
    config: opts.config,
    clock: opts.clock,
    logger: log.child({ component: 'dashboard-source' }),
    ...(opts.lease ? { lease: opts.lease } : {}),
  });
  let server: DashboardServer;
  try {
    server = await createDashboardServer({
      listen: opts.listen,
      config: opts.config,
      configHash: opts.configHash,
      source,
      actions,
      logger: log,
      webRoot: opts.webRoot === undefined ? defaultWebRoot() : opts.webRoot,
      version: VERSION,
      clock: opts.clock,
    });
  } catch (err) {
    await source.close();
    throw err;
  }
  return {
    server,
    drills,
    async close() {
      await server.close();
      await source.close();
      await drills.close();
    },
  };
}
