/**
 * One process assembler (issue 13 §1): builds the roles a process runs from (config, backend, roles) and
 * owns its close stack, readiness, ops endpoint, metrics and reload. `run` (embedded and --redis), each
 * role command and the demo are this with different options; see run-process.ts for signals.
 */
import type { LoadedConfig } from '@understudy/config';
import type { ReloadOutcome } from '@understudy/dashboard';
import type { DeciderLeadership, DeciderRole } from '@understudy/decider';
import type { DnsRole } from '@understudy/dns';
import { startOpsServer, type OpsAction } from '@understudy/observability';
import { systemClock, systemRandom } from '@understudy/system';
import type { ProbeRole } from '@understudy/probe';
import { cliMetrics } from '../cli-metrics.js';
import type { RunningDashboard } from '../dashboard-wiring.js';
import { redisDetail } from '../redis-mode.js';
import { openBackend } from './backend.js';
import { CloseStack } from './close-stack.js';
import { Reloader } from './reload.js';
import { startDashboardPart } from './role-dashboard.js';
import { startDeciderPart } from './role-decider.js';
import { startDnsPart } from './role-dns.js';
import { startProbePart } from './role-probe.js';
import type { AssembleOptions, AssemblyContext, RoleName, RolePart } from './types.js';

export interface Assembled {
  readonly parts: ReadonlyMap<RoleName, RolePart>;
  readonly dns: DnsRole | null;
  readonly decider: DeciderRole | DeciderLeadership | null;
  readonly probes: ProbeRole | null;
  readonly dashboard: RunningDashboard | null;
  readonly opsAddress: { host: string; port: number } | null;
  /** The config running now (a reload replaces it). */
  readonly loaded: LoadedConfig;
  readonly ready: boolean;
  readonly closing: boolean;
  reload: Reloader['reload'];
  /** Drops readiness, closes every role newest first, then the ops endpoint. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the process. `stack` may be passed in so a signal during start-up can close what started (see
 * run-process.ts); when a start fails, what started is closed and the error is thrown.
 */
export async function assemble(
  opts: AssembleOptions,
  stack = new CloseStack(opts.logger),
): Promise<Assembled> {
  let current = opts.loaded;
  const several = opts.roles.size > 1;
  const parts = new Map<RoleName, RolePart>();
  const ctx: AssemblyContext = {
    opts,
    clock: opts.clock ?? systemClock,
    random: opts.random ?? systemRandom,
    stack,
    metrics: cliMetrics(opts.name),
    backend: null!,
    log: (role) => (several ? opts.logger.child({ role }) : opts.logger),
    current: () => current,
    parts,
  };
  const reloader = new Reloader({
    file: opts.configFile ?? null,
    current: () => current,
    replace: (l) => (current = l),
    parts: () => parts,
    closing: () => stack.closing,
    logger: opts.logger,
  });
  let started = false;
  try {
    const adminActions: OpsAction[] = [reloadAction(reloader)];
    const ops = await startOps(opts, ctx, adminActions, () => started);
    ctx.backend = await openBackend({
      kind: opts.backend,
      ...(opts.redisUrl ? { redisUrl: opts.redisUrl } : {}),
      stateFile: current.config.state.file,
      logger: opts.logger,
      stack,
      name: opts.name,
      // A DNS server alone must start without Redis (it serves its disk cache meanwhile).
      lazy: opts.roles.size === 1 && opts.roles.has('dns'),
    });
    // DNS first: the decider's drills time this process's DNS server, and answers matter most.
    if (opts.roles.has('dns')) parts.set('dns', await startDnsPart(ctx));
    stack.check();
    if (opts.roles.has('decider')) parts.set('decider', await startDeciderPart(ctx));
    stack.check();
    if (opts.roles.has('probe')) parts.set('probe', await startProbePart(ctx));
    stack.check();
    if (opts.roles.has('dashboard')) {
      const part = await startDashboardPart(ctx, (actor) => reloader.reload(actor));
      if (part) parts.set('dashboard', part);
    }
    stack.check();
    adminActions.push(...(parts.get('decider')?.adminActions ?? []));
    started = true;
    const handle = <T>(name: RoleName): T | null => (parts.get(name)?.handle() as T | undefined) ?? null;
    return {
      parts,
      dns: handle<DnsRole>('dns'),
      decider: handle<DeciderRole | DeciderLeadership>('decider'),
      probes: handle<ProbeRole>('probe'),
      dashboard: handle<RunningDashboard>('dashboard'),
      opsAddress: ops?.address ?? null,
      get loaded() {
        return current;
      },
      get ready() {
        return isReady(ctx, started);
      },
      get closing() {
        return stack.closing;
      },
      reload: (actor) => reloader.reload(actor),
      close: () => stack.close(),
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/**
 * A process that serves DNS is ready while it serves (and, in memory mode, while its only decider decides):
 * the last good answers beat none, whatever Redis does. Otherwise each role's own condition counts.
 */
function isReady(ctx: AssemblyContext, started: boolean): boolean {
  if (!started || ctx.stack.closing) return false;
  const dns = ctx.parts.get('dns');
  const gating =
    dns && ctx.backend.kind === 'redis'
      ? [dns]
      : [...ctx.parts.values()].filter((p) => p.ready !== undefined);
  return gating.every((p) => p.ready!());
}

/** The ops endpoint comes first and closes last: /readyz answers 503 while the roles start and drain. */
async function startOps(
  opts: AssembleOptions,
  ctx: AssemblyContext,
  actions: OpsAction[],
  started: () => boolean,
) {
  const listen = opts.http !== undefined ? opts.http : opts.loaded.config.listen.http;
  if (!listen) return null;
  const ops = await startOpsServer({
    listen,
    http: opts.loaded.config.httpServers,
    logger: opts.logger.child({ component: 'ops' }),
    registry: ctx.metrics.registry,
    readiness: () => ({
      ready: isReady(ctx, started()),
      detail: {
        ...partDetails(ctx),
        ...(ctx.backend?.connection ? redisDetail(ctx.backend.connection) : {}),
        configHash: ctx.current().hash.slice(0, 12),
      },
    }),
    status: (query) => {
      const part = [...ctx.parts.values()].find((p) => p.status);
      const record = query.get('record');
      return part
        ? part.status!(record === null ? {} : { record })
        : { role: [...ctx.parts.keys()].join(','), starting: !started() };
    },
    // Read per request: the decider's actions join once it has started.
    admin: { tokens: opts.loaded.config.admin.tokens, actions },
  });
  await ctx.stack.push('ops', () => ops.close());
  return ops;
}

function partDetails(ctx: AssemblyContext): Record<string, unknown> {
  const detail: Record<string, unknown> = {};
  for (const p of ctx.parts.values()) Object.assign(detail, p.detail?.());
  return detail;
}

/** POST /admin/reload on the ops endpoint: what `understudy reload` calls. */
function reloadAction(reloader: Reloader): OpsAction {
  return {
    name: 'reload',
    run: async (body, actor) => {
      const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
      if (!reason) return { status: 400, body: { error: '"reason" is required (a non-empty string)' } };
      try {
        const outcome: ReloadOutcome = await reloader.reload({ name: actor, reason });
        return { status: outcome.ok ? 200 : 422, body: outcome };
      } catch (err) {
        return { status: 409, body: { error: (err as Error).message } };
      }
    },
  };
}
