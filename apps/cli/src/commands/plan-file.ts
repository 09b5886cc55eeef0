/**
 * A saved plan (`plan --out FILE`, `sync --plan FILE`), in the manner of terraform's plan files: what each
 * target will change, the ownership markers it will write, and the base it was computed from: a digest of
 * what the provider held in each zone when it was read. `sync --plan` re-reads every zone and applies the
 * plan only if every digest still matches, so a plan reviewed yesterday never lands on a zone that moved.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type {
  DnsProvider,
  OwnershipMarker,
  Plan,
  PlanSafety,
  ProviderRecord,
  ZoneRead,
} from '@understudy/core';
import type { PlanOnceResult } from '@understudy/sync';
import { CliExit } from './exit.js';

export const PLAN_FORMAT = 'understudy-plan/1';

export interface SavedZone {
  zone: string;
  /** sha256 of what the provider held in the zone (ours and foreign records) when the plan was made. */
  base: string;
  plan: Plan;
  markers: OwnershipMarker[];
}

export interface SavedTarget {
  target: string;
  safety: PlanSafety;
  warnings: string[];
  zones: SavedZone[];
}

export interface SavedPlan {
  format: typeof PLAN_FORMAT;
  createdAt: string;
  /** Where the zone state came from, and its serial. */
  source: string;
  serial: number;
  targets: SavedTarget[];
}

const byKey = (a: ProviderRecord, b: ProviderRecord) =>
  `${a.name}/${a.type}`.localeCompare(`${b.name}/${b.type}`);
const canon = (rs: readonly ProviderRecord[]) =>
  [...rs].sort(byKey).map((r) => [r.name, r.type, r.ttl, [...r.values].sort()]);

/** The base of a plan: a digest of one zone as read, independent of listing order. */
export function zoneDigest(read: ZoneRead): string {
  const doc = JSON.stringify({ zone: read.zone, owned: canon(read.owned), foreign: canon(read.foreign) });
  return `sha256:${createHash('sha256').update(doc).digest('hex')}`;
}

/** Wraps providers so that each remembers its last read of every zone (the plan's base). */
export function recordingReads(providers: readonly DnsProvider[]): {
  providers: DnsProvider[];
  reads: Map<string, Map<string, ZoneRead>>;
} {
  const reads = new Map<string, Map<string, ZoneRead>>();
  const wrapped = providers.map((p) => {
    const mine = new Map<string, ZoneRead>();
    reads.set(p.name, mine);
    return new Proxy(p, {
      get(target, key) {
        if (key === 'read')
          return async (zone: string) => {
            const r = await target.read(zone);
            mine.set(zone, r);
            return r;
          };
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  });
  return { providers: wrapped, reads };
}

const markersOf = (p: DnsProvider | undefined, plan: Plan): OwnershipMarker[] =>
  p?.ownershipMarkers?.(plan) ?? [];

/** The ownership markers of each planned target, from the provider that planned it (after its read). */
export function plannedMarkers(
  results: readonly PlanOnceResult[],
  providers: readonly DnsProvider[],
): Map<string, OwnershipMarker[]> {
  const byName = new Map(providers.map((p) => [p.name, p]));
  return new Map(
    results.map((r) => [r.target, r.plans.flatMap((pl) => markersOf(byName.get(r.target), pl))]),
  );
}

export function savedPlan(o: {
  results: readonly PlanOnceResult[];
  providers: readonly DnsProvider[];
  reads: Map<string, Map<string, ZoneRead>>;
  source: string;
  serial: number;
  now: number;
}): SavedPlan {
  const byName = new Map(o.providers.map((p) => [p.name, p]));
  const targets = o.results.map((r): SavedTarget => {
    if (r.error !== undefined) throw new CliExit(`plan not saved: target ${r.target} failed: ${r.error}`);
    return {
      target: r.target,
      safety: r.safety,
      warnings: r.warnings,
      zones: r.plans.map((plan) => {
        const read = o.reads.get(r.target)?.get(plan.zone);
        if (!read) throw new CliExit(`plan not saved: no read of zone ${plan.zone} at target ${r.target}`);
        return {
          zone: plan.zone,
          base: zoneDigest(read),
          plan,
          markers: markersOf(byName.get(r.target), plan),
        };
      }),
    };
  });
  return {
    format: PLAN_FORMAT,
    createdAt: new Date(o.now).toISOString(),
    source: o.source,
    serial: o.serial,
    targets,
  };
}

export async function writePlanFile(file: string, plan: SavedPlan): Promise<void> {
  await writeFile(file, `${JSON.stringify(plan, null, 2)}\n`);
}

export async function readPlanFile(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliExit(`cannot read plan file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: Partial<SavedPlan>;
  try {
    doc = JSON.parse(text) as Partial<SavedPlan>;
  } catch {
    throw new CliExit(`plan file ${file} is not JSON: write it with \`understudy plan --out FILE\``);
  }
  if (doc.format !== PLAN_FORMAT || !Array.isArray(doc.targets))
    throw new CliExit(
      `plan file ${file}: format is not ${PLAN_FORMAT} (write it with \`understudy plan --out FILE\`)`,
    );
  return doc as SavedPlan;
}
