/**
 * Provider kinds, by target type. A new provider registers a loader here instead of growing a conditional
 * (and its config side in libs/config target-kinds.ts, from the package's `/config` subpath):
 * the loader imports the provider package only when a target of its type is configured (the Cloudflare SDK
 * alone adds about 50 MB to a process, which one without targets need not carry).
 */
import type { Clock, DnsProvider, Logger, Random, TargetConfig } from '@understudy/core';

export interface ProviderDeps {
  ownerId: string;
  logger: Logger;
  clock: Clock;
  random: Random;
}

type Factory<T extends TargetConfig> = (target: T, deps: ProviderDeps) => DnsProvider;
type Loaders = { [K in TargetConfig['type']]: () => Promise<Factory<Extract<TargetConfig, { type: K }>>> };

const loaders: Loaders = {
  route53: async () => {
    const { Route53Provider } = await import('@understudy/provider-route53');
    return (t, deps) => new Route53Provider(t, deps);
  },
  cloudflare: async () => {
    const { CloudflareProvider } = await import('@understudy/provider-cloudflare');
    return (t, deps) => new CloudflareProvider(t, deps);
  },
};

/** The provider types this build knows. */
export const PROVIDER_TYPES = Object.keys(loaders) as TargetConfig['type'][];

/** One provider client per target, loading each provider package at most once. */
export async function createProviders(
  targets: readonly TargetConfig[],
  deps: ProviderDeps,
): Promise<DnsProvider[]> {
  const factories = new Map<string, Factory<TargetConfig>>();
  for (const type of new Set(targets.map((t) => t.type)))
    factories.set(type, (await loaders[type]()) as Factory<TargetConfig>);
  // Each provider adds its own `target` field to its log lines.
  return targets.map((t) =>
    factories.get(t.type)!(t, { ...deps, logger: deps.logger.child({ component: 'provider' }) }),
  );
}
