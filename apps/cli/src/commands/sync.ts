/**
 * `understudy sync --once`: apply the plan of `understudy plan` once, for an operator while the decider is
 * stopped, or for the first publish. Continuous sync is not a command: it runs inside the leading decider
 * (`understudy run` / `understudy decider`), which reconciles on every zone state and periodically.
 *
 * It must not fight a running decider over the state file: MemoryStateStore writes the whole file, so a
 * second writer would put back an old zone state and decider state. Target statuses are written to the
 * state file only when no instance answers on the config's listen.http or listen.dashboard; otherwise
 * (or when neither is configured, so nothing can be told) the sync runs over an in-memory store.
 */
import { redisUrl } from '../redis-mode.js';
import { MemoryStateStore } from '@understudy/backends';
import type { DnsProvider, UnderstudyConfig } from '@understudy/core';
import type { SyncResult } from '@understudy/sync';
import {
  brokenPlan,
  changeCount,
  changeLines,
  closeProviders,
  commandLogger,
  inConfigOrder,
  indentRest,
  oneShotManager,
  openProviders,
  planInput,
  type BrokenTarget,
} from './plan.js';
import { localBaseUrl, opsBaseUrl } from './status.js';
import { CliExit, EXIT_FAILURE, EXIT_OK, loadOrExit } from './shared.js';

export interface SyncOptions {
  /** `-c`; discovered when not given. */
  config?: string;
  /** Apply exactly this saved plan (sync-plan.ts). */
  plan?: string;
  /** Read the zone state from Redis (distributed mode) instead of state.file. */
  redis?: string;
  once?: boolean;
  force?: boolean;
  target?: string;
  json?: boolean;
  logLevel?: string;
}

export const CONTINUOUS_SYNC_HINT =
  'continuous provider sync runs inside the leading decider (`understudy run` or `understudy decider`); ' +
  'use `understudy sync --once` to apply the current plan once, while the decider is stopped or for the first publish, ' +
  'or `understudy sync --plan FILE` to apply a plan saved with `understudy plan --out FILE`';

/** Where the running instance of this config would answer, if it had one. */
export function instanceUrls(config: UnderstudyConfig): string[] {
  const urls: string[] = [];
  const ops = opsBaseUrl(config);
  if (ops) urls.push(new URL('/readyz', ops).href);
  if (config.listen.dashboard) urls.push(`${localBaseUrl(config.listen.dashboard)}/api/v1/status`);
  return urls;
}

/** The first URL that gets any HTTP answer (a running instance), or null. */
export async function answeringUrl(urls: readonly string[], timeoutMs = 1500): Promise<string | null> {
  const answers = await Promise.all(
    urls.map(async (url) => {
      try {
        await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        return url;
      } catch {
        return null;
      }
    }),
  );
  return answers.find((u) => u !== null) ?? null;
}

export type StatusWrites = { save: true; file: string } | { save: false; why: string };

/** Whether this sync may write target statuses to the state file (see the top of this file). */
export async function statusWrites(
  config: UnderstudyConfig,
  stateFile: string | null,
): Promise<StatusWrites> {
  if (!stateFile) return { save: false, why: 'there is no state file with a zone state' };
  const urls = instanceUrls(config);
  if (urls.length === 0)
    return {
      save: false,
      why: 'neither listen.http nor listen.dashboard is set, so a running instance cannot be ruled out',
    };
  const running = await answeringUrl(urls);
  if (running) return { save: false, why: `an instance is running (${running} answered)` };
  return { save: true, file: stateFile };
}

export function brokenSync(b: BrokenTarget, serial: number): SyncResult {
  return { ...brokenPlan(b, serial), outcome: 'failed', reports: [], drift: false };
}

/** 0 when every target is applied or in sync, else 1. */
export function syncExitCode(results: readonly SyncResult[]): number {
  return results.every((r) => r.outcome === 'applied' || r.outcome === 'in-sync') ? EXIT_OK : EXIT_FAILURE;
}

/** API calls of the whole sync (reads included) when the provider counts them, else those of the applies. */
export function apiCalls(r: SyncResult, provider: DnsProvider | undefined): number {
  const p = provider as Partial<{ stats(): { apiCalls?: number } }> | undefined;
  const counted = typeof p?.stats === 'function' ? p.stats().apiCalls : undefined;
  return counted ?? r.reports.reduce((n, x) => n + x.apiCalls, 0);
}

export interface SyncLine extends SyncResult {
  apiCalls: number;
}

export function formatSync(results: readonly SyncLine[], source: string, writes: StatusWrites): string {
  const out = [`Sync of ${source}.`, ''];
  if (results.length === 0) out.push('No provider targets are configured (targets:): nothing to sync.');
  for (const r of results) {
    const n = changeCount(r.plans);
    const calls = `${r.apiCalls} API call${r.apiCalls === 1 ? '' : 's'}`;
    if (r.outcome === 'applied') {
      const retries = r.reports.reduce((k, x) => k + x.retries, 0);
      const tries = `${retries} ${retries === 1 ? 'retry' : 'retries'}`;
      out.push(`target ${r.target}: applied ${n} change${n === 1 ? '' : 's'} (${calls}, ${tries})`);
      out.push(...changeLines(r.plans));
    } else if (r.outcome === 'in-sync') {
      out.push(`target ${r.target}: in sync (${calls})`);
    } else if (r.outcome === 'refused') {
      out.push(`target ${r.target}: REFUSED: the plan is unsafe; nothing was changed (${calls})`);
      out.push(...changeLines(r.plans));
      for (const v of r.safety.violations) out.push(`  unsafe: ${v.message}`);
      out.push('  Check the plan, then apply it with: understudy sync --once --force');
    } else {
      out.push(`target ${r.target}: FAILED ${indentRest(r.error ?? 'unknown error')}`);
    }
    for (const w of r.warnings) out.push(`  warning: ${w}`);
  }
  out.push(
    '',
    writes.save
      ? `Target statuses saved to ${writes.file}.`
      : `Target statuses not saved to the state file: ${writes.why}.`,
  );
  return `${out.join('\n')}\n`;
}

export async function syncCommand(opts: SyncOptions, out: NodeJS.WritableStream): Promise<number> {
  if (opts.plan !== undefined) {
    if (opts.redis !== undefined)
      throw new CliExit(
        'understudy sync: --plan applies a saved plan; it reads no zone state (drop --redis)',
      );
    const { syncPlanCommand } = await import('./sync-plan.js');
    return syncPlanCommand({ ...opts, plan: opts.plan }, out);
  }
  // Exit 1, as every usage error of plan and sync (2 means "plan has changes").
  if (!opts.once) throw new CliExit(`understudy sync: ${CONTINUOUS_SYNC_HINT}`, EXIT_FAILURE);
  const { config } = await loadOrExit(opts.config);
  const logger = commandLogger('understudy-sync', opts.logLevel);
  const url = redisUrl(opts.redis);
  const input = await planInput(config, Date.now(), url ? { redisUrl: url, logger } : {});
  // Over Redis, target statuses belong to the leading decider (fenced writes): never written from here.
  const writes: StatusWrites = url
    ? {
        save: false,
        why: 'the zone state came from Redis, where target statuses belong to the leading decider',
      }
    : await statusWrites(config, input.file);
  const { providers, broken } = await openProviders(config, logger, opts.target);
  let results: SyncLine[];
  try {
    const store = writes.save
      ? await MemoryStateStore.open({ file: writes.file })
      : await MemoryStateStore.open();
    try {
      const manager = oneShotManager({ providers, config, store, logger, epoch: store.highestEpoch });
      const synced =
        providers.length === 0
          ? []
          : await manager.syncOnce({
              force: opts.force === true,
              zoneState: input.zoneState,
              ...(opts.target === undefined ? {} : { target: opts.target }),
            });
      await manager.close();
      const byName = new Map(providers.map((p) => [p.name, p]));
      results = inConfigOrder(config, [
        ...synced.map((r) => ({ ...r, apiCalls: apiCalls(r, byName.get(r.target)) })),
        ...broken.map((b) => ({ ...brokenSync(b, input.zoneState.serial), apiCalls: 0 })),
      ]);
    } finally {
      await store.close();
    }
  } finally {
    await closeProviders(providers);
  }
  if (opts.json) {
    const targets = results.map((r) => ({ ...r, changes: changeCount(r.plans) }));
    const doc = {
      source: input.file ?? 'config',
      serial: input.zoneState.serial,
      statusesSaved: writes.save,
      targets,
    };
    out.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else out.write(formatSync(results, input.source, writes));
  return syncExitCode(results);
}
