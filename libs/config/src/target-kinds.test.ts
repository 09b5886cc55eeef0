import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const label = (c: string, n: number): string => c.repeat(n);
/** 4 labels of 58 + example.test = 248 octets: fits DNS, but not with `_understudy-a.` (14) before it. */
const LONG = [label('a', 58), label('b', 58), label('c', 58), label('d', 58)].join('.');

const config = (name: string, targets: string) =>
  [
    'regions: [a, b, c]',
    'checks:',
    '  web: { type: https, url: "https://192.0.2.10/" }',
    'zones:',
    '  - apex: example.test',
    '    ns: [ns1.example.test]',
    '    failover:',
    `      - name: ${name}`,
    '        type: A',
    '        ttl: 30',
    '        answers:',
    '          - { values: [192.0.2.10], check: web }',
    targets,
    '',
  ].join('\n');

describe('Route 53 ownership marker names (issue 17, case 4)', () => {
  it('refuses at load a failover name whose marker would pass 253 octets, naming the record', () => {
    const problems = problemsOf(
      config(LONG, 'targets:\n  - { name: aws, type: route53, zones: [{ apex: example.test }] }'),
    );
    const p = problems.find((x) => x.message.includes('ownership marker'));
    expect(p?.message).toContain(`record ${LONG}.example.test./A`);
    expect(p?.message).toMatch(/262 octets, over 253/);
    expect(p?.path).toBe('targets[0].zones');
  });

  it('accepts the same name when no Route 53 target syncs the zone, and a name that leaves room', () => {
    expect(() => parseConfig(config(LONG, ''), { env: {} })).not.toThrow();
    const fits = [label('a', 58), label('b', 58), label('c', 58), label('d', 44)].join('.');
    expect(() =>
      parseConfig(
        config(fits, 'targets:\n  - { name: aws, type: route53, zones: [{ apex: example.test }] }'),
        {
          env: {},
        },
      ),
    ).not.toThrow();
  });
});

describe('rate-limit scope (issue 17, case 3)', () => {
  it('reads the account a Route 53 target and the user a Cloudflare target are counted against', () => {
    const { config } = parseConfig(
      config_(
        [
          'targets:',
          '  - { name: aws, type: route53, account: "111122223333", zones: [{ apex: example.test }] }',
          '  - { name: cf, type: cloudflare, apiToken: t, user: ops@example.test, zones: [{ apex: example.test }] }',
        ].join('\n'),
      ),
      { env: {} },
    );
    expect(config.targets.map((t) => (t.type === 'route53' ? t.account : t.user))).toEqual([
      '111122223333',
      'ops@example.test',
    ]);
  });

  it('refuses the other vendor’s field', () => {
    const problems = problemsOf(
      config_('targets:\n  - { name: aws, type: route53, user: x, zones: [{ apex: example.test }] }'),
    );
    expect(problems.map((p) => p.path)).toContain('targets[0].user');
  });
});

function config_(targets: string): string {
  return config('app', targets);
}

describe('Cloudflare delegated names (issue 17, case 5)', () => {
  const withNs = (targets: string) =>
    config('app', targets).replace(
      '    failover:',
      '    records:\n      - { name: app, type: NS, values: [ns1.other.test] }\n    failover:',
    );

  it('refuses at load a failover record at a name the zone delegates, when Cloudflare syncs the zone', () => {
    const problems = problemsOf(
      withNs('targets:\n  - { name: cf, type: cloudflare, apiToken: t, zones: [{ apex: example.test }] }'),
    );
    const p = problems.find((x) => x.message.includes('delegated name'));
    expect(p?.message).toContain('record app.example.test./A');
    expect(p?.path).toBe('targets[0].zones');
  });

  it('accepts it without a Cloudflare target', () => {
    expect(() => parseConfig(withNs(''), { env: {} })).not.toThrow();
  });
});
