/** Route 53 providers pointed at a real emulator over HTTP on 127.0.0.1, for this package's tests. */
import type { ProviderRecord, Route53TargetConfig } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import type { Route53EmulatorOptions } from '@understudy/emulators/route53/server';
import { startRoute53Emulator } from '@understudy/emulators/route53/server';
import type { Route53ProviderOptions } from '../route53-provider.js';
import { Route53Provider } from '../route53-provider.js';

export type { Route53Emulator } from '@understudy/emulators/route53/server';
export { startRoute53Emulator };

export const OWNER = 'test-owner';

export function targetConfig(
  url: string,
  zones: { apex: string; id: string | null }[],
  over: Partial<Route53TargetConfig> = {},
): Route53TargetConfig {
  return {
    type: 'route53',
    name: 'r53-test',
    zones,
    takeover: false,
    endpoint: url,
    region: 'us-east-1',
    accessKeyId: 'AKIDTEST',
    secretAccessKey: 'test-secret-key',
    profile: null,
    // Tests share one emulator; a high rate keeps them fast unless a test is about the limit.
    requestsPerSecond: 200,
    pollInterval: 20,
    account: null,
    ...over,
  };
}

export function provider(
  config: Route53TargetConfig,
  over: Partial<Route53ProviderOptions> = {},
): Route53Provider {
  return new Route53Provider(config, {
    ownerId: OWNER,
    logger: recordingLogger(),
    retry: { baseMs: 20, maxMs: 200 },
    ...over,
  });
}

export async function emulatorWithZone(
  apex: string,
  opts: Route53EmulatorOptions = {},
): Promise<{ emu: Awaited<ReturnType<typeof startRoute53Emulator>>; zoneId: string }> {
  const emu = await startRoute53Emulator(opts);
  return { emu, zoneId: emu.createZone(apex) };
}

/** `count` A records under `apex`, in order. */
export function manyA(apex: string, count: number, last = 1): ProviderRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `host-${String(i).padStart(5, '0')}.${apex}`,
    type: 'A' as const,
    ttl: 60,
    values: [`10.${Math.floor(i / 250) % 250}.${i % 250}.${last}`],
  }));
}
