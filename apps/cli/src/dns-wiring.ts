/** What every process that runs the DNS role passes it besides the config: worker entry, config source, metrics. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '@understudy/config';
import type { Clock, ZoneOverlay } from '@understudy/core';
import { workerConfigOf, type DnsRoleOptions, type ZoneSource } from '@understudy/dns';
import type { UnderstudyMetrics } from '@understudy/observability';
import { transferWiring } from './transfer-metrics-wiring.js';

/**
 * dist/dns-worker.mjs beside the bundle this runs from: the lean worker entry. Undefined when it is not
 * there (run from the sources): the pool then forks this process's main script, which runs the same worker.
 */
export function dnsWorkerScript(): string | undefined {
  try {
    const file = fileURLToPath(new URL('./dns-worker.mjs', import.meta.url));
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

type Wiring = Required<
  Pick<
    DnsRoleOptions,
    'workerConfig' | 'onApplied' | 'onServing' | 'onPublished' | 'onTransfer' | 'notifyHooks'
  >
> &
  Pick<DnsRoleOptions, 'workerExec'>;

/** The DnsRole options shared by embedded, distributed and `understudy dns`. */
export function dnsRoleWiring(
  loaded: LoadedConfig,
  metrics: UnderstudyMetrics,
  clock: Clock,
  onServing?: (overlay: ZoneOverlay, source: ZoneSource) => void,
): Wiring {
  const exec = dnsWorkerScript();
  let lastServed: number | null = null;
  return {
    workerConfig: workerConfigOf(loaded),
    ...(exec ? { workerExec: exec } : {}),
    onApplied: (info) => {
      metrics.dnsApplyDuration.observe({ kind: info.kind }, info.ms / 1000);
      metrics.dnsApplyBodies.inc({ kind: info.kind }, info.bodies);
    },
    onPublished: (t) => publishStages(metrics, t),
    ...transferWiring(metrics),
    onServing: (overlay, source) => {
      metrics.zoneSerial.set(overlay.serial);
      if (source === 'store' && lastServed !== null && overlay.serial !== lastServed)
        metrics.dnsPublishDelay.observe(Math.max(0, clock.now() - overlay.generatedAt) / 1000);
      lastServed = overlay.serial;
      onServing?.(overlay, source);
    },
  };
}

const WORKER_STAGES = ['ipc', 'queue', 'plan', 'encode', 'paused', 'commit', 'ack'] as const;

/** Issue 11: the publish breakdown as dns_publish_stage_seconds (bench:scale reads it per change). */
function publishStages(metrics: UnderstudyMetrics, t: Parameters<Wiring['onPublished']>[0]): void {
  const stage = (name: string, ms: number) =>
    metrics.dnsPublishStage.observe({ stage: name }, Math.max(0, ms) / 1000);
  stage('decide', t.receivedAt - t.decidedAt);
  stage('handoff', t.sentAt - t.receivedAt);
  for (const w of t.workers) {
    for (const s of WORKER_STAGES) stage(s, w[`${s}Ms`]);
    metrics.dnsPublishSlices.inc(w.slices);
  }
}
