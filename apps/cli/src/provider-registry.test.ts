import { describe, expect, it } from 'vitest';
import type { CloudflareTargetConfig, Logger, Route53TargetConfig } from '@understudy/core';
import { PROVIDER_TYPES, createProviders } from './provider-registry.js';

const quiet: Logger = {
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  fatal: () => {},
  child: () => quiet,
};
const base = { zones: [{ apex: 'example.test.', id: null }], takeover: false };
const r53: Route53TargetConfig = {
  ...base,
  name: 'aws',
  type: 'route53',
  endpoint: 'http://127.0.0.1:9',
  region: 'us-east-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'secret',
  profile: null,
  requestsPerSecond: 5,
  pollInterval: 1000,
  account: null,
};
const cf: CloudflareTargetConfig = {
  ...base,
  name: 'cf',
  type: 'cloudflare',
  apiToken: 'token',
  endpoint: 'http://127.0.0.1:9',
  batchSize: 200,
  minTtl: 60,
  proxied: false,
  rateLimit: { requests: 1200, window: 300_000 },
  user: null,
};
const deps = { ownerId: 'owner-1', logger: quiet, clock: { now: () => 0 }, random: { next: () => 0.5 } };

describe('provider registry', () => {
  it('knows every target type of the config schema', () => {
    expect([...PROVIDER_TYPES].sort()).toEqual(['cloudflare', 'route53']);
  });

  it('builds one provider per target, of the target type, in config order', async () => {
    const providers = await createProviders([cf, r53, { ...r53, name: 'aws-2' }], deps);
    try {
      expect(providers.map((p) => [p.name, p.type])).toEqual([
        ['cf', 'cloudflare'],
        ['aws', 'route53'],
        ['aws-2', 'route53'],
      ]);
    } finally {
      await Promise.all(providers.map((p) => p.close()));
    }
  });

  it('loads nothing for a config without targets', async () => {
    expect(await createProviders([], deps)).toEqual([]);
  });
});
