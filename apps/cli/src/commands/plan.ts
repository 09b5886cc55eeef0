/**
 * `understudy plan`: what provider sync would change at each target (Route 53, Cloudflare), without
 * changing anything. It plans the last zone state the decider published (the state file), or, before
 * any, the config with every failover record on its primary, which is what `understudy dns` serves then.
 * Also the shared plumbing of `understudy sync --once` (sync.ts): the zone state, the providers, the
 * change lines.
 */
import { existsSync } from 'node:fs';
import { MemoryStateStore, StateFileError, journalFileFor } from '@understudy/backends';
import {
  BUILTIN_TARGET,
  buildZoneState,
  materializeZoneState,
  type DnsProvider,
  type Logger,
  type NewEvent,
  type OwnershipMarker,
  type StateStore,
  type UnderstudyConfig,
  type ZoneState,
} from '@understudy/core';
import { createLogger } from '@understudy/observability';
import { SyncManager, type PlanOnceResult } from '@understudy/sync';
import { systemClock, systemRandom } from '@understudy/system';
import { providersFromConfig } from '../leader-services.js';
import { connectRedis, redisBackends, redisUrl } from '../redis-mode.js';
import { changeCount, formatPlans } from './plan-format.js';
import { steeringNotes } from './plan-steering.js';
import { plannedMarkers, recordingReads, savedPlan, writePlanFile } from './plan-file.js';
import { CliExit, EXIT_FAILURE, EXIT_OK, loadOrExit } from './shared.js';

export { changeCount, changeLines, formatPlans, indentRest, markerLines } from './plan-format.js';

/** `plan` exits with this when a target has something to change (0: nothing; 1: a target failed). */
export const EXIT_CHANGES = 2;

export interface PlanOptions {
  /** `-c`; discovered when not given. */
  config?: string;
  /** Read the zone state from Redis (distributed mode) instead of state.file. */
  redis?: string;
  target?: string;
  json?: boolean;
  logLevel?: string;
  /** Save the plan here (plan-file.ts), for `sync --plan FILE`. */
  out?: string;
}

/** The zone state to plan, and where it came from (for the operator). */
export interface PlanInput {
  zoneState: ZoneState;
  /** The state file it was read from; null when it is the config on primaries. */
  file: string | null;
  /** Words for the header line. */
  source: string;
}

/** Reads the last published zone state without writing: a missing file is never created. */
export async function readPublishedZoneState(
  config: UnderstudyConfig,
  file: string | null,
): Promise<ZoneState | null> {
  // A running `understudy run` may have only its journal yet: the state file is written at compaction.
  if (!file || (!existsSync(file) && !existsSync(journalFileFor(file)))) return null;
  try {
    // open() only reads an existing file (and its directory exists); close() writes nothing unless
    // something was changed, and nothing is.
    const store = await MemoryStateStore.open({ file });
    try {
      const overlay = await store.readOverlay();
      return overlay ? materializeZoneState(config, overlay) : null;
    } finally {
      await store.close();
    }
  } catch (err) {
    if (err instanceof StateFileError) throw new CliExit(err.message);
    throw err;
  }
}

/** The zone state the leading decider stored in Redis, read once (distributed mode). */
export async function readRedisZoneState(
  config: UnderstudyConfig,
  url: string,
  logger: Logger,
): Promise<ZoneState | null> {
  const connection = await connectRedis(url, logger, 'plan');
  try {
    const store = await redisBackends(connection, logger).openStore();
    try {
      const overlay = await store.readOverlay();
      return overlay ? materializeZoneState(config, overlay) : null;
    } finally {
      await store.close();
    }
  } finally {
    await connection.close();
  }
}

export async function planInput(
  config: UnderstudyConfig,
  now: number,
  from: { redisUrl?: string; logger?: Logger } = {},
): Promise<PlanInput> {
  if (from.redisUrl) {
    const stored = await readRedisZoneState(
      config,
      from.redisUrl,
      from.logger ?? commandLogger('understudy', 'error'),
    );
    if (stored)
      return { zoneState: stored, file: null, source: `zone state serial ${stored.serial} from Redis` };
    return {
      zoneState: buildZoneState(config, {}, 0, 0, now),
      file: null,
      source: 'the config with every failover record on its primary (no zone state in Redis yet)',
    };
  }
  const file = config.state.file;
  const published = await readPublishedZoneState(config, file);
  if (published) {
    return { zoneState: published, file, source: `zone state serial ${published.serial} from ${file}` };
  }
  return {
    // Serial 0: no decider has published anything; desiredRecords takes every record's primary.
    zoneState: buildZoneState(config, {}, 0, 0, now),
    file: null,
    source: `the config with every failover record on its primary (${file ? `no zone state in ${file}` : 'no state.file'})`,
  };
}

/** A target whose provider could not even be built (a ConfigError naming it, say). */
export interface BrokenTarget {
  target: string;
  error: string;
}

/** One provider per selected target; a target that cannot be built is reported, the others still run. */
export async function openProviders(
  config: UnderstudyConfig,
  logger: Logger,
  target?: string,
): Promise<{ providers: DnsProvider[]; broken: BrokenTarget[] }> {
  if (target !== undefined && !config.targets.some((t) => t.name === target)) {
    const known = config.targets.map((t) => t.name);
    const hint =
      target === BUILTIN_TARGET
        ? `"${BUILTIN_TARGET}" is the built-in DNS server: it serves the zone state directly and has no plan`
        : `the config has ${known.length ? `targets ${known.join(', ')}` : 'no provider targets'}`;
    throw new CliExit(`no target named "${target}": ${hint}`);
  }
  const providers: DnsProvider[] = [];
  const broken: BrokenTarget[] = [];
  for (const t of config.targets) {
    if (target !== undefined && t.name !== target) continue;
    try {
      providers.push(
        ...(await providersFromConfig({ ...config, targets: [t] }, logger, systemClock, systemRandom)),
      );
    } catch (err) {
      broken.push({ target: t.name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { providers, broken };
}

export async function closeProviders(providers: DnsProvider[]): Promise<void> {
  await Promise.all(providers.map((p) => p.close().catch(() => undefined)));
}

/** Logs go to stderr, so stdout carries only the report (and --json stays parseable). */
export function commandLogger(name: string, level: string | undefined): Logger {
  return createLogger({
    name,
    level: level ?? 'error',
    pretty: process.stderr.isTTY === true,
    destination: { write: (line: string) => void process.stderr.write(line) },
  });
}

export function brokenPlan(b: BrokenTarget, serial: number): PlanOnceResult {
  return {
    target: b.target,
    serial,
    plans: [],
    safety: { safe: true, violations: [] },
    warnings: [],
    error: b.error,
  };
}

/** 1 when a target failed, else 2 when a target has changes, else 0. */
export function planExitCode(results: readonly PlanOnceResult[]): number {
  if (results.some((r) => r.error !== undefined)) return EXIT_FAILURE;
  return results.some((r) => changeCount(r.plans) > 0) ? EXIT_CHANGES : EXIT_OK;
}

/** A SyncManager for one plan or one sync: no loop, events and publications only logged. */
export function oneShotManager(o: {
  providers: DnsProvider[];
  config: UnderstudyConfig;
  store: StateStore;
  logger: Logger;
  epoch?: number;
}): SyncManager {
  return new SyncManager({
    providers: o.providers,
    config: o.config,
    store: o.store,
    clock: systemClock,
    random: systemRandom,
    logger: o.logger,
    epoch: () => o.epoch ?? 0,
    onEvent: (e: NewEvent) => o.logger.info({ event: e.type, target: e.target }, e.message),
    onPublished: (target, serial, at) =>
      o.logger.debug({ target, serial, at }, 'target serves the zone state'),
  });
}

/** Results in the config's target order. */
export function inConfigOrder<T extends { target: string }>(
  config: UnderstudyConfig,
  results: readonly T[],
): T[] {
  const order = new Map(config.targets.map((t, i) => [t.name, i]));
  return [...results].sort((x, y) => (order.get(x.target) ?? 0) - (order.get(y.target) ?? 0));
}

export async function planCommand(opts: PlanOptions, out: NodeJS.WritableStream): Promise<number> {
  const { config } = await loadOrExit(opts.config);
  const logger = commandLogger('understudy-plan', opts.logLevel);
  const url = redisUrl(opts.redis);
  const input = await planInput(config, systemClock.now(), url ? { redisUrl: url, logger } : {});
  const opened = await openProviders(config, logger, opts.target);
  const broken = opened.broken;
  // Each provider remembers what it read: the base a saved plan is checked against (plan-file.ts).
  const { providers, reads } = recordingReads(opened.providers);
  let results: PlanOnceResult[];
  let markers: Map<string, OwnershipMarker[]>;
  try {
    const store = await MemoryStateStore.open();
    const manager = oneShotManager({ providers, config, store, logger });
    const planned = await manager.planOnce(input.zoneState);
    results = inConfigOrder(config, [
      ...planned,
      ...broken.map((b) => brokenPlan(b, input.zoneState.serial)),
    ]);
    await manager.close();
    await store.close();
    markers = plannedMarkers(results, providers);
  } finally {
    await closeProviders(opened.providers);
  }
  if (opts.out !== undefined) {
    const saved = savedPlan({
      results,
      providers,
      reads,
      source: input.source,
      serial: input.zoneState.serial,
      now: systemClock.now(),
    });
    await writePlanFile(opts.out, saved);
  }
  const notes = steeringNotes(config); // issue 14 part 3
  if (opts.json) {
    const targets = results.map((r) => ({
      ...r,
      changes: changeCount(r.plans),
      markers: markers.get(r.target) ?? [],
      notes: notes.get(r.target) ?? [],
    }));
    out.write(
      `${JSON.stringify({ source: input.file ?? 'config', serial: input.zoneState.serial, targets }, null, 2)}\n`,
    );
  } else {
    out.write(formatPlans(results, input.source, markers, notes));
    if (opts.out !== undefined)
      out.write(`Plan saved to ${opts.out}: apply exactly it with \`understudy sync --plan ${opts.out}\`.\n`);
  }
  return planExitCode(results);
}
