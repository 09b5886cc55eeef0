/** A real emulator on loopback and providers pointed at it, for this package's tests. */
import { recordKey, type CloudflareTargetConfig, type ProviderRecord } from '@understudy/core';
import { recordingLogger, type RecordingLogger } from '@understudy/testkit/logger';
import {
  startCloudflareEmulator,
  type CloudflareEmulator,
  type CloudflareEmulatorOptions,
} from '@understudy/emulators/cloudflare';
import { CloudflareProvider, type CloudflareProviderOptions } from '../provider.js';
import { absoluteName, canonicalValue, ttlSeconds, valueFields } from '../record-map.js';

export const TOKEN = 'test-token';
export const OWNER = 'test-owner';

export type { CloudflareEmulator };

export function startEmulator(opts: CloudflareEmulatorOptions = {}): Promise<CloudflareEmulator> {
  return startCloudflareEmulator({ tokens: [TOKEN], ...opts });
}

export function targetConfig(
  emu: CloudflareEmulator,
  zones: string[],
  over: Partial<CloudflareTargetConfig> = {},
): CloudflareTargetConfig {
  return {
    type: 'cloudflare',
    name: 'cf',
    zones: zones.map((apex) => ({ apex, id: null })),
    takeover: false,
    apiToken: TOKEN,
    endpoint: emu.url,
    batchSize: 200,
    minTtl: 60,
    proxied: false,
    rateLimit: { requests: 1200, window: 300_000 },
    user: null,
    ...over,
  };
}

export function provider(
  config: CloudflareTargetConfig,
  over: Partial<CloudflareProviderOptions> = {},
): CloudflareProvider & { log: RecordingLogger } {
  const log = recordingLogger();
  const p = new CloudflareProvider(config, { ownerId: OWNER, logger: log, ...over });
  return Object.assign(p, { log });
}

/** Cloudflare bodies for ProviderRecords (no comment unless given). */
export function cfBodies(records: ProviderRecord[], comment?: string): Record<string, unknown>[] {
  return records.flatMap((r) =>
    r.values.map((v) => ({
      name: r.name.replace(/\.$/, ''),
      type: r.type,
      ttl: r.ttl,
      ...valueFields(r.type, v),
      ...(comment === undefined ? {} : { comment }),
    })),
  );
}

/** Everything the emulator holds in a zone, grouped into RRsets with canonical values. */
export function rawRecords(emu: CloudflareEmulator, zone: string): ProviderRecord[] {
  const map = new Map<string, ProviderRecord>();
  for (const r of emu.records(zone)) {
    const v = canonicalValue(r);
    if (v === null) continue;
    const name = absoluteName(r.name);
    const type = r.type as ProviderRecord['type'];
    const key = recordKey({ name, type });
    const g = map.get(key) ?? {
      name,
      type,
      ttl: ttlSeconds(r.ttl),
      values: [],
    };
    g.values.push(v);
    g.values.sort();
    map.set(key, g);
  }
  return [...map.values()];
}

/** A sleep that does not wait but advances a fake clock, and remembers what it was asked. */
export function fakeTime(start = Date.parse('2025-01-01T00:00:00Z')) {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: { now: () => now },
    sleep: (ms: number): Promise<void> => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}
