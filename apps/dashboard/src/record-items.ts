/** Record, region and target items, prepared from config + stored state once per view. */
import {
  BUILTIN_TARGET,
  recordStatus,
  secondaryAddress,
  secondaryTarget,
  type AnswerConfig,
  type DeciderState,
  type FailoverRecordConfig,
  type Publication,
  type TargetSyncStatus,
  type UnderstudyConfig,
} from '@understudy/core';
import type { AnswerItem, CheckItem, RecordItem, RecordTargetItem, RegionItem, TargetItem } from './types.js';

function instancesOf(publications: readonly Publication[], target: string): TargetItem['instances'] {
  return publications
    .filter((p) => p.target === target)
    .map((p) => ({ instance: p.instance, serial: p.serial, at: p.at }))
    .sort((a, b) => a.instance.localeCompare(b.instance));
}

export function targetItems(
  config: UnderstudyConfig,
  publications: readonly Publication[],
  statuses: readonly TargetSyncStatus[],
): TargetItem[] {
  const byName = new Map(statuses.map((s) => [s.target, s]));
  const instances = instancesOf(publications, BUILTIN_TARGET);
  const items: TargetItem[] = [
    { target: BUILTIN_TARGET, type: 'builtin', instances, status: byName.get(BUILTIN_TARGET) ?? null },
  ];
  for (const t of config.targets)
    items.push({ target: t.name, type: t.type, status: byName.get(t.name) ?? null });
  // Zone-transfer secondaries (issue 15): each DNS instance reports the serial the secondary answers.
  for (const n of config.dns.transfer?.notify ?? []) {
    const target = secondaryTarget(secondaryAddress(n));
    items.push({ target, type: 'secondary', instances: instancesOf(publications, target), status: null });
  }
  // Statuses of targets no longer configured stay visible until the store forgets them.
  for (const s of statuses) {
    if (!items.some((i) => i.target === s.target)) items.push({ target: s.target, type: s.type, status: s });
  }
  return items;
}

/** The serial a target serves everywhere: the lowest over the instances reporting it (built-in, secondary). */
function appliedSerialOf(t: TargetItem): number | null {
  if (t.type === 'builtin' || t.type === 'secondary') {
    if (!t.instances?.length) return t.status?.appliedSerial ?? null;
    return Math.min(...t.instances.map((i) => i.serial));
  }
  return t.status?.appliedSerial ?? null;
}

function recordTargets(switchedSerial: number | null, targets: readonly TargetItem[]): RecordTargetItem[] {
  return targets.map((t) => {
    const appliedSerial = appliedSerialOf(t);
    return {
      target: t.target,
      type: t.type,
      appliedSerial,
      inSync: appliedSerial !== null && (switchedSerial === null || appliedSerial >= switchedSerial),
    };
  });
}

/** Issue 14: a tier's addresses with their own checks' verdicts, and the tier's health from them. */
function addressItems(
  a: AnswerConfig,
  verdicts: ReadonlyMap<string, CheckItem['verdict']>,
): Partial<AnswerItem> {
  if (!a.addresses) return {};
  const addresses = a.addresses.map((ad) => ({
    value: ad.value,
    check: ad.check,
    health: ad.check === null ? ('up' as const) : (verdicts.get(ad.check) ?? 'unknown'),
  }));
  const min = a.minHealthy ?? 1;
  const notDown = addresses.filter((x) => x.health !== 'down').length;
  return { addresses, minHealthy: min, health: notDown >= min ? 'up' : 'down' };
}

/** core's record status (the read model), with the answers, targets and names the dashboard shows. */
function recordItem(
  rec: FailoverRecordConfig,
  st: DeciderState | null,
  verdicts: ReadonlyMap<string, CheckItem['verdict']>,
  targets: readonly TargetItem[],
): RecordItem {
  const { active: _label, tier: _tier, overrides, ...status } = recordStatus(rec, st);
  const rs = st?.records[rec.id];
  const active = rs?.active ?? { kind: 'answer' as const, name: rec.answers[0]!.name };
  return {
    ...status,
    zone: rec.zone,
    name: rec.name,
    type: rec.type,
    active: { kind: active.kind, name: active.kind === 'none' ? null : active.name },
    switchedSerial: rs?.switchedSerial ?? null,
    answers: rec.answers.map((a) => ({
      name: a.name,
      values: a.values,
      check: a.check,
      health: a.check === null ? 'up' : (verdicts.get(a.check) ?? 'unknown'),
      override: overrides[a.name] ?? 'obey',
      ...addressItems(a, verdicts),
    })),
    targets: recordTargets(rs?.switchedSerial ?? null, targets),
  };
}

export function recordItems(
  config: UnderstudyConfig,
  st: DeciderState | null,
  checks: readonly CheckItem[],
  targets: readonly TargetItem[],
): RecordItem[] {
  const verdicts = new Map(checks.map((c) => [c.id, c.verdict]));
  return config.zones.flatMap((z) => z.failover.map((rec) => recordItem(rec, st, verdicts, targets)));
}

export function regionItems(config: UnderstudyConfig, st: DeciderState | null, now: number): RegionItem[] {
  const probes = Object.entries(st?.probes ?? {});
  return config.regions.map((region) => ({
    region,
    stale: st?.regions[region]?.stale ?? false,
    lastSeenAt: st?.regions[region]?.lastSeenAt ?? null,
    probes: probes
      .filter(([, p]) => p.region === region)
      .map(([probeId, p]) => ({
        probeId,
        lastSeenAt: p.lastSeenAt,
        configHash: p.configHash,
        mismatch: p.mismatch,
        lagMs: Math.max(0, now - p.lastSeenAt),
      }))
      .sort((a, b) => a.probeId.localeCompare(b.probeId)),
  }));
}
