/** Checks a drill request against the config before anything changes: which record, which targets. */
import {
  BUILTIN_TARGET,
  NotFoundError,
  resolveRecordRef,
  type FailoverRecordConfig,
  type ListenAddress,
  type UnderstudyConfig,
} from '@understudy/core';

export interface DrillProbe {
  target: string;
  /** Set for the built-in DNS server: the address queried. */
  server?: ListenAddress;
}

export interface DrillPlan {
  record: FailoverRecordConfig;
  probes: DrillProbe[];
}

const hostPort = (a: ListenAddress): string =>
  a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
export const instanceName = hostPort;

/** Throws NotFoundError for an unknown record or target. */
export function planDrill(
  config: UnderstudyConfig,
  recordRef: string,
  target: string | null | undefined,
  dnsServers: ListenAddress[] = config.listen.dns,
): DrillPlan {
  const id = resolveRecordRef(config, recordRef);
  const record = config.zones.flatMap((z) => z.failover).find((r) => r.id === id)!;
  const providers = config.targets.filter((t) => t.zones.some((z) => z.apex === record.zone));
  const known = [BUILTIN_TARGET, ...providers.map((t) => t.name)];
  if (target && !known.includes(target))
    throw new NotFoundError(`no target "${target}" serves ${id} (targets: ${known.join(', ')})`);
  const probes: DrillProbe[] = [];
  if (!target || target === BUILTIN_TARGET)
    for (const server of dnsServers) probes.push({ target: BUILTIN_TARGET, server });
  for (const t of providers) if (!target || target === t.name) probes.push({ target: t.name });
  if (probes.length === 0)
    throw new NotFoundError(`nothing to time for ${id}: no DNS listen address and no target`);
  return { record, probes };
}
