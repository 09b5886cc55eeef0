/** One target's plans against one zone state: read every zone, diff, judge safety. No writes. */
import {
  checkPlanSafety,
  createPlan,
  desiredRecords,
  failoverAnswerValues,
  failoverKeys,
  type DnsProvider,
  type Plan,
  type PlanSafety,
  type UnderstudyConfig,
  type ZoneState,
} from '@understudy/core';

export interface TargetSettings {
  zones: string[];
  takeover: boolean;
}

/** A provider's zones and takeover flag from config; a provider with no target entry (the built-in store) syncs every zone. */
export function targetSettings(config: UnderstudyConfig, provider: DnsProvider): TargetSettings {
  const t = config.targets.find((x) => x.name === provider.name);
  if (t) return { zones: t.zones.map((z) => z.apex), takeover: t.takeover };
  return { zones: config.zones.map((z) => z.apex), takeover: false };
}

export interface TargetPlan {
  target: string;
  serial: number;
  plans: Plan[];
  /** Over every zone of the target: one violation makes the whole target's plan unsafe. */
  safety: PlanSafety;
  /** normalize() warnings (TTL raised to the provider minimum, …). */
  warnings: string[];
}

export async function planTarget(
  provider: DnsProvider,
  config: UnderstudyConfig,
  zs: ZoneState,
): Promise<TargetPlan> {
  const settings = targetSettings(config, provider);
  const plans: Plan[] = [];
  const safety: PlanSafety = { safe: true, violations: [] };
  const warnings: string[] = [];
  for (const apex of settings.zones) {
    const read = await provider.read(apex);
    const normalized = provider.normalize(desiredRecords(config, zs, apex));
    warnings.push(...normalized.warnings);
    const plan = createPlan(provider.name, apex, read, normalized.records, { takeover: settings.takeover });
    plans.push(plan);
    const s = checkPlanSafety(plan, {
      ownedCount: read.owned.length,
      maxChangeShare: config.sync.maxChangeShare,
      protectedKeys: failoverKeys(config, apex),
      decisions: failoverAnswerValues(config, apex),
    });
    safety.violations.push(...s.violations);
  }
  safety.safe = safety.violations.length === 0;
  return { target: provider.name, serial: zs.serial, plans, safety, warnings };
}
