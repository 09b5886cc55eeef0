import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const BASE = [
  'regions: [a, b, c]',
  'checks:',
  '  web: { type: https, url: "https://192.0.2.10/" }',
  '  web2: { type: https, url: "https://198.51.100.10/" }',
  'zones:',
  '  - apex: example.test',
  '    ns: [ns1.example.test]',
  '    failover:',
  '      - name: app',
  '        type: A',
  '        ttl: 30',
  '        answers:',
  '          - { values: [192.0.2.10], check: web }',
  '          - { values: [198.51.100.10], check: web2 }',
].join('\n');

const withSections = (yaml: string) => `${BASE}\n${yaml}\n`;

describe('targets', () => {
  it('reads Route 53 and Cloudflare targets with their defaults, secrets from the environment', () => {
    const { config, warnings, hash } = parseConfig(
      withSections(
        [
          'targets:',
          '  - { name: aws, type: route53, zones: [{ apex: Example.Test }] }',
          '  - name: cf',
          '    type: cloudflare',
          '    apiToken: "${CF_TOKEN}"',
          '    endpoint: http://127.0.0.1:4581/client/v4/',
          '    zones: [{ apex: example.test, id: abc123 }]',
        ].join('\n'),
      ),
      { env: { CF_TOKEN: 'secret-token-value' } },
    );
    expect(config.targets).toEqual([
      {
        name: 'aws',
        type: 'route53',
        zones: [{ apex: 'example.test.', id: null }],
        takeover: false,
        endpoint: null,
        region: 'us-east-1',
        accessKeyId: null,
        secretAccessKey: null,
        profile: null,
        requestsPerSecond: 5,
        pollInterval: 2000,
        account: null,
      },
      {
        name: 'cf',
        type: 'cloudflare',
        zones: [{ apex: 'example.test.', id: 'abc123' }],
        takeover: false,
        endpoint: 'http://127.0.0.1:4581/client/v4',
        apiToken: 'secret-token-value',
        batchSize: 200,
        minTtl: 60,
        proxied: false,
        rateLimit: { requests: 1200, window: 300_000 },
        user: null,
      },
    ]);
    // TTL 30 is below Cloudflare's minimum: the operator learns it at load time, not during an outage.
    expect(warnings.map((w) => w.path)).toEqual(['targets[1].minTtl']);
    expect(warnings[0]!.message).toContain('below Cloudflare');
    // Targets are decider-side: probes with another target list still agree on the config.
    expect(hash).toBe(parseConfig(BASE).hash);
  });

  it('warns that proxied records have a fixed 300 s TTL', () => {
    const { warnings } = parseConfig(
      withSections(
        'targets:\n  - { name: cf, type: cloudflare, apiToken: t, proxied: true, zones: [{ apex: example.test }] }',
      ),
    );
    expect(warnings[0]).toMatchObject({ path: 'targets[0].proxied' });
    expect(warnings[0]!.message).toContain('300s');
  });

  it('reports unknown zones, the reserved name, duplicates, half credentials and bad endpoints at their paths', () => {
    const problems = problemsOf(
      withSections(
        [
          'targets:',
          '  - { name: dns, type: route53, zones: [{ apex: other.test }] }',
          '  - { name: aws, type: route53, accessKeyId: AKIA, zones: [{ apex: example.test }] }',
          '  - { name: aws, type: cloudflare, apiToken: t, endpoint: "ftp://x", zones: [{ apex: example.test }] }',
          '  - { name: gcp, type: gcloud, zones: [{ apex: example.test }] }',
        ].join('\n'),
      ),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['targets[0].name']).toContain('built-in');
    expect(byPath['targets[0].zones[0].apex']).toContain('not configured');
    expect(byPath['targets[1]']).toContain('accessKeyId and secretAccessKey');
    expect(byPath['targets[2].name']).toContain('duplicate target name "aws"');
    expect(byPath['targets[2].endpoint']).toContain('not an http(s) URL');
    expect(Object.keys(byPath).some((p) => p.startsWith('targets[3]'))).toBe(true);
  });
});

describe('sync, webhooks, dashboard', () => {
  it('reads explicit values', () => {
    const { config } = parseConfig(
      withSections(
        [
          'listen: { dashboard: "127.0.0.1:8080" }',
          'dashboard: { readAuth: true }',
          'sync: { reconcileInterval: 30s, maxChangeShare: 0.25, allowUnsafe: true, ownerId: prod-1 }',
          'webhooks:',
          '  - { name: ops, url: "https://hooks.example.test/x", secret: "${HOOK_SECRET}", events: [failover, failback] }',
          '  - { name: slack, url: "http://127.0.0.1:9/", format: slack, timeout: 2s, maxAttempts: 3 }',
        ].join('\n'),
      ),
      { env: { HOOK_SECRET: 'shh' } },
    );
    expect(config.listen.dashboard).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.dashboard).toEqual({ readAuth: true });
    expect(config.sync).toEqual({
      reconcileInterval: 30_000,
      maxChangeShare: 0.25,
      allowUnsafe: true,
      ownerId: 'prod-1',
    });
    expect(config.webhooks[0]).toEqual({
      name: 'ops',
      url: 'https://hooks.example.test/x',
      format: 'json',
      secret: 'shh',
      events: ['failover', 'failback'],
      timeout: 5000,
      maxAttempts: 6,
    });
    expect(config.webhooks[1]).toMatchObject({
      format: 'slack',
      secret: null,
      timeout: 2000,
      maxAttempts: 3,
    });
    expect(config.webhooks[1]!.events).toHaveLength(7);
  });

  it('reports bad webhooks and a dashboard address clashing with the ops endpoint', () => {
    const problems = problemsOf(
      withSections(
        [
          'listen: { http: "127.0.0.1:9053", dashboard: "127.0.0.1:9053" }',
          'webhooks:',
          '  - { name: a, url: "https://x.test/", events: [failover, exploded] }',
          '  - { name: a, url: "mailto:x" }',
        ].join('\n'),
      ),
    );
    const paths = problems.map((p) => p.path);
    expect(paths).toContain('listen.dashboard');
    expect(paths.some((p) => p.startsWith('webhooks[0].events'))).toBe(true);
    expect(paths.some((p) => p.startsWith('webhooks[1]'))).toBe(true);
  });
});
