/**
 * `understudy sync --plan FILE`: apply exactly a saved plan (plan-file.ts). Every zone of every target in
 * it is read again first; if any no longer matches the base the plan was computed from, nothing at all
 * is applied (terraform's "saved plan is stale"). Then each zone's plan goes to its provider as saved:
 * no new diff is made, so what was reviewed is what is written.
 */
import type { ApplyReport, DnsProvider } from '@understudy/core';
import { changeLines, closeProviders, commandLogger, markerLines, openProviders } from './plan.js';
import { readPlanFile, zoneDigest, type SavedPlan, type SavedTarget } from './plan-file.js';
import { CliExit, EXIT_FAILURE, EXIT_OK, loadOrExit } from './shared.js';

export interface SyncPlanOptions {
  config?: string;
  plan: string;
  target?: string;
  force?: boolean;
  json?: boolean;
  logLevel?: string;
}

interface Applied {
  target: string;
  outcome: 'applied' | 'in-sync' | 'failed';
  reports: ApplyReport[];
  error?: string;
}

/** Each zone whose provider state moved since the plan, as `target zone`. */
async function staleZones(saved: SavedPlan, providers: Map<string, DnsProvider>): Promise<string[]> {
  const stale: string[] = [];
  for (const t of saved.targets) {
    const p = providers.get(t.target)!;
    for (const z of t.zones) {
      if (zoneDigest(await p.read(z.zone)) !== z.base) stale.push(`target ${t.target} zone ${z.zone}`);
    }
  }
  return stale;
}

async function applyTarget(t: SavedTarget, p: DnsProvider): Promise<Applied> {
  const reports: ApplyReport[] = [];
  try {
    for (const z of t.zones) reports.push(await p.apply(z.plan));
  } catch (err) {
    return {
      target: t.target,
      outcome: 'failed',
      reports,
      error: err instanceof Error ? err.message : String(err),
    };
  }
  const failed = reports.flatMap((r) => r.changes.filter((c) => !c.ok));
  if (failed.length)
    return {
      target: t.target,
      outcome: 'failed',
      reports,
      error: failed.map((c) => `${c.kind} ${c.name} ${c.type}: ${c.error ?? 'refused'}`).join('; '),
    };
  const changes = reports.reduce((n, r) => n + r.changes.length, 0);
  return { target: t.target, outcome: changes ? 'applied' : 'in-sync', reports };
}

export async function syncPlanCommand(opts: SyncPlanOptions, out: NodeJS.WritableStream): Promise<number> {
  const saved = await readPlanFile(opts.plan);
  const { config } = await loadOrExit(opts.config);
  const logger = commandLogger('understudy-sync', opts.logLevel);
  const chosen = saved.targets.filter((t) => opts.target === undefined || t.target === opts.target);
  if (opts.target !== undefined && chosen.length === 0)
    throw new CliExit(`plan file ${opts.plan} has no target "${opts.target}"`);
  const unsafe = chosen.filter((t) => !t.safety.safe);
  if (unsafe.length && !opts.force)
    throw new CliExit(
      `the saved plan is unsafe for ${unsafe.map((t) => t.target).join(', ')}: ${unsafe
        .flatMap((t) => t.safety.violations.map((v) => v.message))
        .join('; ')}; check it, then apply it with --force`,
    );
  const providers = new Map<string, DnsProvider>();
  try {
    for (const t of chosen) {
      const opened = await openProviders(config, logger, t.target);
      if (opened.broken.length) throw new CliExit(`target ${t.target}: ${opened.broken[0]!.error}`);
      providers.set(t.target, opened.providers[0]!);
    }
    const stale = await staleZones({ ...saved, targets: chosen }, providers);
    if (stale.length)
      throw new CliExit(
        `the saved plan ${opts.plan} is stale: the provider state changed since it was made (${saved.createdAt}) at ${stale.join(', ')}. Nothing was applied; run \`understudy plan --out FILE\` again`,
      );
    const results: Applied[] = [];
    for (const t of chosen) results.push(await applyTarget(t, providers.get(t.target)!));
    write(out, opts, saved, chosen, results);
    return results.every((r) => r.outcome !== 'failed') ? EXIT_OK : EXIT_FAILURE;
  } finally {
    await closeProviders([...providers.values()]);
  }
}

function write(
  out: NodeJS.WritableStream,
  opts: SyncPlanOptions,
  saved: SavedPlan,
  chosen: readonly SavedTarget[],
  results: readonly Applied[],
): void {
  if (opts.json) {
    out.write(
      `${JSON.stringify({ plan: opts.plan, createdAt: saved.createdAt, serial: saved.serial, targets: results }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `Sync of the saved plan ${opts.plan} (made ${saved.createdAt} against ${saved.source}).`,
    '',
  ];
  for (const r of results) {
    const t = chosen.find((x) => x.target === r.target)!;
    const n = r.reports.reduce((k, x) => k + x.changes.length, 0);
    if (r.outcome === 'failed') lines.push(`target ${r.target}: FAILED ${r.error ?? ''}`);
    else if (r.outcome === 'in-sync') lines.push(`target ${r.target}: in sync (the plan has no changes)`);
    else {
      lines.push(`target ${r.target}: applied ${n} change${n === 1 ? '' : 's'}`);
      lines.push(
        ...changeLines(t.zones.map((z) => z.plan)),
        ...markerLines(t.zones.flatMap((z) => z.markers)),
      );
    }
  }
  lines.push(
    '',
    'Target statuses not saved to the state file: the decider records them on its next reconcile.',
  );
  out.write(`${lines.join('\n')}\n`);
}
