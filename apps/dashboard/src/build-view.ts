/**
 * Folds what the store holds into one prepared view: items, indexes and ready-made JSON. At 10,000 checks
 * this is hundreds of milliseconds of work, so it runs in slices that yield to the event loop between them:
 * requests keep being answered from the previous view meanwhile.
 */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type {
  DeciderState,
  Publication,
  TargetSyncStatus,
  UnderstudyConfig,
  ZoneOverlay,
} from '@understudy/core';
import { checkItem, matrixOf } from './check-items.js';
import { recordItems, regionItems, targetItems } from './record-items.js';
import type { CheckItem, DashboardViewData } from './types.js';

export interface ViewInputs {
  config: UnderstudyConfig;
  decider: DeciderState | null;
  /** The stored overlay (only its serial, epoch and time are shown). */
  zone: Pick<ZoneOverlay, 'serial' | 'epoch' | 'generatedAt'> | null;
  publications: readonly Publication[];
  statuses: readonly TargetSyncStatus[];
  leader: { holder: string; epoch: number } | null;
  /** The newest event's seq (the decider state's eventSeq may lag behind the log). */
  eventSeq: number;
  now: number;
}

/** Longest stretch of work between two yields, ms. */
const SLICE_MS = 8;

/** Yields to the event loop when the current slice has run SLICE_MS (checked every 50 items). */
function slicer(): (n: number) => Promise<void> | null {
  let since = performance.now();
  return (n) => {
    if (n % 50 !== 49 || performance.now() - since < SLICE_MS) return null;
    return yieldToLoop().then(() => {
      since = performance.now();
    });
  };
}

export async function buildView(i: ViewInputs): Promise<DashboardViewData> {
  const { config, decider: st, now } = i;
  const slice = slicer();
  const checks: CheckItem[] = [];
  const checkJson: string[] = [];
  for (let n = 0; n < config.checks.length; n++) {
    await slice(n);
    const item = checkItem(config, config.checks[n]!, st, now);
    checks.push(item);
    checkJson.push(JSON.stringify(item));
  }
  const targets = targetItems(config, i.publications, i.statuses);
  const records = recordItems(config, st, checks, targets);
  const recordParts: string[] = [];
  for (let n = 0; n < records.length; n++) {
    await slice(n);
    recordParts.push(JSON.stringify(records[n]));
  }
  await yieldToLoop();
  const regions = regionItems(config, st, now);
  const probes = regions.flatMap((r) => r.probes);
  let up = 0;
  let down = 0;
  for (const c of checks) {
    if (c.verdict === 'up') up++;
    else if (c.verdict === 'down') down++;
  }
  return {
    builtAt: now,
    serial: i.zone?.serial ?? st?.serial ?? 0,
    epoch: i.zone?.epoch ?? i.leader?.epoch ?? 0,
    eventSeq: Math.max(i.eventSeq, st?.eventSeq ?? 0),
    zoneGeneratedAt: i.zone?.generatedAt ?? null,
    leader: i.leader,
    counts: {
      checks: checks.length,
      up,
      down,
      unknown: checks.length - up - down,
      records: records.length,
      regions: regions.length,
      staleRegions: regions.filter((r) => r.stale).length,
      probes: probes.length,
      mismatchedProbes: probes.filter((p) => p.mismatch).length,
    },
    guard: st ? { ...st.guard } : { holding: false, since: null, released: false },
    regions,
    matrix: matrixOf(config.regions, checks),
    checks,
    checkJson,
    checkIndex: new Map(checks.map((c, n) => [c.id, n])),
    records,
    recordsJson: Buffer.from(`{"items":[${recordParts.join(',')}]}`),
    recordIndex: new Map(records.map((r, n) => [r.id, n])),
    targets,
  };
}

// lagMs moves with the clock alone; it is not a change worth telling clients about.
const regionsJson = (v: DashboardViewData): string =>
  JSON.stringify(v.regions, (k, x: unknown) => (k === 'lagMs' ? undefined : x));

/** Whether anything a client shows differs between two views (time-derived fields included). */
export function viewChanged(a: DashboardViewData, b: DashboardViewData): boolean {
  if (a.serial !== b.serial || a.eventSeq !== b.eventSeq || a.epoch !== b.epoch) return true;
  if (JSON.stringify(a.guard) !== JSON.stringify(b.guard)) return true;
  if (!a.recordsJson.equals(b.recordsJson)) return true;
  if (regionsJson(a) !== regionsJson(b)) return true;
  if (JSON.stringify(a.targets) !== JSON.stringify(b.targets)) return true;
  if (a.checkJson.length !== b.checkJson.length) return true;
  for (let n = 0; n < a.checkJson.length; n++) if (a.checkJson[n] !== b.checkJson[n]) return true;
  return false;
}
