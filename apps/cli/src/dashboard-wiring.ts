/**
 * The dashboard (API, SSE and web UI) wired to a process's store and, where this process runs the
 * decider, to its actions: overrides, failback approval, forced plans (provider sync) and drills.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ConfigError,
  StateConflictError,
  type Actor,
  type OverrideMode,
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
  type DrillReport,
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

export interface LocalActionsOptions {
  config: UnderstudyConfig;
  logger: Logger;
  clock: Clock;
  metrics: UnderstudyMetrics;
  /** The leading decider in this process, or null (a standby). */
  decider: () => DeciderRole | null;
  services: LeaderServices | null;
  /** The DNS servers a drill times (the bound addresses); none = config.listen.dns. */
  dnsServers?: () => ListenAddress[];
}

export class NotLeadingError extends StateConflictError {}

/** The actions of a process that runs the decider; drills live here too (reports in memory). */
export interface LocalActions {
  actions: DashboardActions;
  drills: DrillRegistry;
  /** Waits for running drills (each restores its override). */
  close(): Promise<void>;
}

export function createLocalActions(opts: LocalActionsOptions): LocalActions {
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
  return { actions, drills, close: () => drills.close() };
}

export interface DashboardWiringOptions {
  listen: ListenAddress;
  config: UnderstudyConfig;
  configHash: string;
  store: StateStore;
  logger: Logger;
  clock: Clock;
  /** Local actions, relayed ones (standalone dashboard), or local-or-relayed (run --redis). */
  actions: DashboardActions;
  lease?: () => Promise<{ holder: string; epoch: number } | null>;
  webRoot?: string | null;
}

export interface RunningDashboard {
  server: DashboardServer;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardWiringOptions): Promise<RunningDashboard> {
  const log = opts.logger;
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
      actions: opts.actions,
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
    async close() {
      await server.close();
      await source.close();
    },
  };
}

/** What a process without the engine sends to the leader (RedisActionRelay fits). */
export interface ActionRequester {
  request(kind: string, payload: Record<string, unknown>, timeoutMs: number): Promise<unknown>;
}

const RELAY_TIMEOUT_MS = 10_000;
/** A forced plan waits for the provider (Route 53: until INSYNC). */
const FORCE_TIMEOUT_MS = 120_000;

/** Dashboard actions sent to the leading decider wherever it runs (the standalone dashboard). */
export function relayedActions(relay: ActionRequester): DashboardActions {
  const send = <T>(kind: string, payload: Record<string, unknown>, timeoutMs = RELAY_TIMEOUT_MS) =>
    relay.request(kind, payload, timeoutMs) as Promise<T>;
  return {
    setOverride: (record, answer, mode, actor) => send('override', { record, answer, mode, actor }),
    approveFailback: (record, actor) => send('approve-failback', { record, actor }),
    releaseGuard: (actor) => send('release-guard', { actor }),
    forcePlan: (target, actor) => send<ApplyReport[]>('force-plan', { target, actor }, FORCE_TIMEOUT_MS),
    startDrill: (req) =>
      send<{ id: string }>('start-drill', {
        recordId: req.recordId,
        actor: req.actor,
        ...(req.target === undefined ? {} : { target: req.target }),
      }),
    drill: (id) => send<DrillReport | null>('drill', { id }),
    drills: () => send<DrillReport[]>('drills', {}),
  };
}

/** Local actions while this process leads, else relayed to the leader (understudy run --redis). */
export function localOrRelayed(
  local: DashboardActions,
  relayed: DashboardActions,
  leading: () => boolean,
): DashboardActions {
  const pick = (): DashboardActions => (leading() ? local : relayed);
  return {
    setOverride: (...a) => pick().setOverride(...a),
    approveFailback: (...a) => pick().approveFailback(...a),
    releaseGuard: (...a) => pick().releaseGuard(...a),
    forcePlan: (...a) => pick().forcePlan(...a),
    startDrill: (...a) => pick().startDrill(...a),
    drill: (...a) => pick().drill(...a),
    drills: () => pick().drills(),
  };
}

function str(p: Record<string, unknown>, key: string): string {
  const v = p[key];
  if (typeof v !== 'string' || v === '')
    throw new ConfigError([{ path: key, message: 'must be a non-empty string' }], 'relayed action');
  return v;
}

function actorOf(p: Record<string, unknown>): Actor {
  const a = p.actor as Record<string, unknown> | undefined;
  if (typeof a !== 'object' || a === null)
    throw new ConfigError([{ path: 'actor', message: 'must be { name, reason }' }], 'relayed action');
  return { name: str(a, 'name'), reason: str(a, 'reason') };
}

const MODES: readonly string[] = ['up', 'down', 'obey'];

/** The leader's side of the relay: a relayed request → the local action (RedisActionRelay.serve). */
export function actionHandler(actions: DashboardActions) {
  return (kind: string, p: Record<string, unknown>): Promise<unknown> => {
    switch (kind) {
      case 'override': {
        const mode = str(p, 'mode');
        if (!MODES.includes(mode))
          throw new ConfigError([{ path: 'mode', message: 'must be up, down or obey' }], 'relayed action');
        return actions.setOverride(str(p, 'record'), str(p, 'answer'), mode as OverrideMode, actorOf(p));
      }
      case 'approve-failback':
        return actions.approveFailback(str(p, 'record'), actorOf(p));
      case 'release-guard':
        return actions.releaseGuard(actorOf(p));
      case 'force-plan':
        return actions.forcePlan(str(p, 'target'), actorOf(p));
      case 'start-drill':
        return actions.startDrill({
          recordId: str(p, 'recordId'),
          actor: actorOf(p),
          ...(typeof p.target === 'string' ? { target: p.target } : {}),
        });
      case 'drill':
        return actions.drill(str(p, 'id'));
      case 'drills':
        return actions.drills();
      default:
        return Promise.reject(
          new ConfigError([{ path: 'kind', message: `unknown action "${kind}"` }], 'relayed action'),
        );
    }
  };
}
