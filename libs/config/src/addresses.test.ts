import { describe, expect, it } from 'vitest';
import type { HttpCheckConfig, TcpCheckConfig } from '@understudy/core';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const HEAD = `regions: [us-east, eu-west]
checks:
  web:
    type: https
    url: "https://{address}:8443/health"
    hostHeader: www.example.test
    sni: www.example.test
    fall: 2
  port: { type: tcp, host: "{address}", port: 5432 }
  web-b: { type: http, url: "http://192.0.2.9/" }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
`;
const doc = (body: string) => `${HEAD}${body}`;
const messageAt = (text: string, path: string) => problemsOf(text).find((p) => p.path === path)?.message;

const GOOD = doc(`      - name: www
        type: A
        ttl: 60
        degradedTtl: 20
        maxAnswers: 8
        answers:
          - name: primary
            checkTemplate: web
            minHealthy: 50%
            addresses: [192.0.2.1, { value: 192.0.2.2, weight: 3 }, { value: 192.0.2.3, check: web-b }]
          - { name: backup, values: [198.51.100.1] }
      - name: db
        type: AAAA
        answers: [{ checkTemplate: port, addresses: ["2001:DB8::1", "2001:db8::2"], minHealthy: 2 }]
`);

describe('addresses and check templates (issue 14)', () => {
  it('expands a template into one concrete check per address with a stable id', () => {
    const { config } = parseConfig(GOOD, { env: {} });
    const ids = config.checks.map((c) => c.id);
    expect(ids).toEqual(['web-b', 'web@192.0.2.1', 'web@192.0.2.2', 'port@2001:db8::1', 'port@2001:db8::2']);
    const web = config.checks.find((c) => c.id === 'web@192.0.2.2') as HttpCheckConfig;
    // Connects to the address, but keeps the template's Host, SNI, port, path and hysteresis.
    expect(web).toMatchObject({ host: '192.0.2.2', port: 8443, path: '/health', fall: 2 });
    expect(web).toMatchObject({ hostHeader: 'www.example.test', sni: 'www.example.test' });
    const db = config.checks.find((c) => c.id === 'port@2001:db8::1') as TcpCheckConfig;
    expect(db).toMatchObject({ type: 'tcp', host: '2001:db8::1', port: 5432 });
  });

  it('builds the tier: values, addresses, weights, resolved minHealthy; record cap and degraded TTL', () => {
    const { config } = parseConfig(GOOD, { env: {} });
    const www = config.zones[0]!.failover[0]!;
    expect(www).toMatchObject({ maxAnswers: 8, degradedTtl: 20, ttl: 60 });
    expect(www.answers[0]).toEqual({
      name: 'primary',
      values: ['192.0.2.1', '192.0.2.2', '192.0.2.3'],
      check: null,
      minHealthy: 2, // 50% of 3, rounded up
      addresses: [
        { value: '192.0.2.1', weight: 1, check: 'web@192.0.2.1' },
        { value: '192.0.2.2', weight: 3, check: 'web@192.0.2.2' },
        { value: '192.0.2.3', weight: 1, check: 'web-b' },
      ],
    });
    // A plain tier keeps its old shape: every existing config means what it meant.
    expect(www.answers[1]).toEqual({ name: 'backup', values: ['198.51.100.1'], check: null });
    const db = config.zones[0]!.failover[1]!;
    expect(db.answers[0]!.values).toEqual(['2001:db8::1', '2001:db8::2']);
    expect(db).not.toHaveProperty('maxAnswers');
    expect(db).not.toHaveProperty('degradedTtl');
  });

  it('reports an unknown template, naming the field', () => {
    const text =
      doc(`      - { name: www, type: A, answers: [{ checkTemplate: wbe, addresses: [192.0.2.1] }] }
`);
    expect(messageAt(text, 'zones[0].failover[0].answers[0].checkTemplate')).toBe(
      'unknown check template "wbe" (did you mean "web"?)',
    );
  });

  it('reports a template that is a plain check ({address} missing)', () => {
    const text =
      doc(`      - { name: www, type: A, answers: [{ checkTemplate: web-b, addresses: [192.0.2.1] }] }
`);
    expect(messageAt(text, 'zones[0].failover[0].answers[0].checkTemplate')).toMatch(
      /check "web-b" is not a template: its host or URL must hold \{address\}/,
    );
  });

  it('reports {address} outside the host', () => {
    const text =
      HEAD.replace('https://{address}:8443/health', 'https://www.example.test/{address}') + '      []\n';
    expect(messageAt(text, 'checks.web.url')).toMatch(/\{address\} must be the whole host/);
  });

  it('reports minHealthy larger than the address count', () => {
    const text =
      doc(`      - { name: www, type: A, answers: [{ checkTemplate: web, minHealthy: 3, addresses: [192.0.2.1, 192.0.2.2] }] }
`);
    expect(messageAt(text, 'zones[0].failover[0].answers[0].minHealthy')).toBe(
      'minHealthy 3 is larger than the number of addresses (2): the tier could never be up',
    );
  });

  it('reports a duplicate address and an address invalid for the record type', () => {
    const text =
      doc(`      - { name: www, type: A, answers: [{ checkTemplate: web, addresses: [192.0.2.1, 192.0.2.01, "2001:db8::1"] }] }
`);
    const problems = problemsOf(text);
    const at = (i: number) =>
      problems.find((p) => p.path === `zones[0].failover[0].answers[0].addresses[${i}]`);
    expect(at(1)?.message ?? '').toMatch(
      /duplicate address 192\.0\.2\.1 \(also addresses\[0\]\)|not a valid A/,
    );
    expect(at(2)?.message).toMatch(/^not a valid A address/);
  });

  it('refuses addresses with values or a tier check, on a CNAME, and a template used as a plain check', () => {
    const both =
      doc(`      - { name: www, type: A, answers: [{ check: web-b, values: [192.0.2.5], addresses: [192.0.2.1] }] }
`);
    expect(messageAt(both, 'zones[0].failover[0].answers[0].values')).toBe(
      'give either addresses or values, not both',
    );
    expect(messageAt(both, 'zones[0].failover[0].answers[0].check')).toMatch(/checked per address/);
    const cname =
      doc(`      - { name: www, type: CNAME, answers: [{ checkTemplate: web, addresses: [a.example.test.] }] }
`);
    expect(messageAt(cname, 'zones[0].failover[0].answers[0].addresses')).toMatch(/A or AAAA record/);
    const plain = doc(`      - { name: www, type: A, answers: [{ check: web, values: [192.0.2.1] }] }
`);
    expect(messageAt(plain, 'zones[0].failover[0].answers[0].check')).toMatch(/is a template/);
  });
});

describe('examples/per-address.example.yaml', () => {
  it('validates without problems or warnings', async () => {
    const file = new URL('../../../examples/per-address.example.yaml', import.meta.url).pathname;
    const { config, warnings } = await loadConfig(file, { env: {} });
    expect(warnings).toEqual([]);
    expect(config.checks.map((c) => c.id)).toEqual([
      'web-legacy',
      'dr-web',
      'web@192.0.2.1',
      'web@192.0.2.2',
    ]);
    expect(config.zones[0]!.failover[0]).toMatchObject({ maxAnswers: 2, degradedTtl: 15 });
    expect(config.zones[0]!.failover[0]!.answers[0]!.minHealthy).toBe(2);
  });
});

describe('providers and per-address records', () => {
  it('warns when Cloudflare cannot serve the degraded TTL', () => {
    const text = `${GOOD}targets:
  - { name: cf, type: cloudflare, apiToken: t, zones: [{ apex: example.test }] }
`;
    const { warnings } = parseConfig(text, { env: {} });
    expect(warnings.find((w) => w.path === 'targets[0].minTtl')?.message).toBe(
      `record www.example.test./A has degradedTtl 20s, below Cloudflare's minimum of 60s: target "cf" serves 60s while degraded`,
    );
  });
});
