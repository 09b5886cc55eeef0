import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const HEAD = `regions: [us-east, eu-west, ap-south]
checks:
  web: { type: https, url: "https://192.0.2.10/" }
  api: { type: http, host: 192.0.2.11, regions: [us-east, eu-west] }
zones:
  - apex: example.test
    ns: [ns1.example.test]
`;
const zone = (body: string) => `${HEAD}${body}`;
const pathsOf = (text: string) => problemsOf(text).map((p) => p.path);
const messageAt = (text: string, path: string) => problemsOf(text).find((p) => p.path === path)?.message;

describe('references', () => {
  it('rejects an answer check that does not exist', () => {
    const text = zone(`    failover:
      - name: app
        type: A
        answers: [{ values: [192.0.2.1], check: wbe }]
`);
    expect(messageAt(text, 'zones[0].failover[0].answers[0].check')).toBe(
      'check "wbe" is not defined (did you mean "web"?)',
    );
  });

  it('rejects check regions that are not declared', () => {
    const text = HEAD.replace('[us-east, eu-west]', '[us-east, eu-wset]');
    expect(messageAt(text, 'checks.api.regions[1]')).toBe(
      'region "eu-wset" is not declared in regions (did you mean "eu-west"?)',
    );
  });

  it('rejects whenAllDown naming no mode, fallback or answer; accepts an answer name', () => {
    const bad = zone(`    failover:
      - name: app
        type: A
        answers: [{ values: [192.0.2.1], check: web }]
        whenAllDown: backup
`);
    expect(messageAt(bad, 'zones[0].failover[0].whenAllDown')).toMatch(/"backup" is neither/);
    const ok = parseConfig(
      zone(`    failover:
      - name: app
        type: A
        answers: [{ values: [192.0.2.1], check: web }, { values: [192.0.2.2], check: api }]
        whenAllDown: secondary
`),
      { env: {} },
    );
    expect(ok.config.zones[0]!.failover[0]!.whenAllDown).toEqual({
      mode: 'fallback',
      name: 'secondary',
      values: ['192.0.2.2'],
    });
  });

  it('rejects fallback names that shadow modes or answers', () => {
    const text = zone(`    failover:
      - name: app
        type: A
        answers: [{ values: [192.0.2.1], check: web }]
        fallbacks: { last: [192.0.2.9], primary: [192.0.2.8], ok: 192.0.2.7 }
`);
    expect(pathsOf(text)).toEqual([
      'zones[0].failover[0].fallbacks.last',
      'zones[0].failover[0].fallbacks.primary',
    ]);
  });
});

describe('duplicates and DNS data rules', () => {
  it('rejects duplicate answer names, failover records, static/failover clashes and apexes', () => {
    const text = `${zone(`    records:
      - { name: app, type: A, value: 192.0.2.5 }
      - { name: x, type: TXT, value: a }
      - { name: x., type: A, value: 192.0.2.5 }
      - { name: X, type: TXT, value: b }
    failover:
      - name: app
        type: A
        answers: [{ name: one, values: [192.0.2.1], check: web }, { name: one, values: [192.0.2.2], check: web }]
      - name: app.example.test.
        type: A
        answers: [{ values: [192.0.2.1], check: web }]
`)}  - apex: EXAMPLE.test.
    ns: [ns1.example.test]
`;
    const problems = problemsOf(text);
    expect(problems.map((p) => [p.path, p.message])).toEqual([
      ['zones[0].records[2].name', expect.stringMatching(/x\. is not inside zone example\.test\./)],
      [
        'zones[0].records[3]',
        expect.stringMatching(
          /duplicate record set x\.example\.test\.\/TXT \(also zones\[0\]\.records\[1\]\)/,
        ),
      ],
      [
        'zones[0].failover[0]',
        expect.stringMatching(
          /app\.example\.test\.\/A is both a failover record and a static record \(zones\[0\]\.records\[0\]\)/,
        ),
      ],
      ['zones[0].failover[0].answers[1].name', 'duplicate answer name "one" (also answers[0])'],
      ['zones[0].failover[1]', expect.stringMatching(/duplicate failover record app\.example\.test\.\/A/)],
      ['zones[1].apex', 'zone example.test. is already defined at zones[0]'],
    ]);
  });

  it('rejects a CNAME next to other data, at the apex, or with two values', () => {
    const text = zone(`    records:
      - { name: www, type: TXT, value: hello }
      - { name: "@", type: CNAME, value: other.test }
      - { name: two, type: CNAME, values: [a.test, b.test] }
    failover:
      - name: www
        type: CNAME
        answers: [{ value: a.example.test, check: web }]
`);
    expect(problemsOf(text).map((p) => [p.path, p.message])).toEqual([
      ['zones[0].records[1].type', expect.stringMatching(/CNAME cannot sit at the zone apex/)],
      ['zones[0].records[2].values', expect.stringMatching(/exactly one value/)],
      [
        'zones[0].failover[0]',
        expect.stringMatching(
          /CNAME at www\.example\.test\. cannot coexist .*TXT at zones\[0\]\.records\[0\]/,
        ),
      ],
    ]);
  });

  it('rejects values invalid for their type, in records, answers and fallbacks', () => {
    const text = zone(`    records:
      - { name: a, type: A, values: [192.0.2.300] }
      - { name: m, type: MX, value: "mail.example.test" }
      - { name: s, type: SRV, value: { priority: 1, weight: 2, port: 70000, target: x.test } }
      - { name: t, type: A, value: { preference: 1, exchange: x.test } }
    failover:
      - name: v6
        type: AAAA
        answers: [{ values: [192.0.2.1], check: web }]
        whenAllDown: sorry
        fallbacks: { sorry: ["2001:db8::zz"] }
`);
    expect(pathsOf(text)).toEqual([
      'zones[0].records[0].values[0]',
      'zones[0].records[1].value',
      'zones[0].records[2].value',
      'zones[0].records[3].value',
      'zones[0].failover[0].answers[0].values[0]',
      'zones[0].failover[0].fallbacks.sorry[0]',
    ]);
  });

  it('rejects an apex NS record, a record in a separately configured subzone, and TTLs out of range', () => {
    const text = `${zone(`    records:
      - { name: "@", type: NS, value: ns2.example.test }
      - { name: x.sub, type: A, value: 192.0.2.1, ttl: 2147483648 }
`)}  - apex: sub.example.test
    ns: [ns1.example.test]
`;
    expect(pathsOf(text)).toEqual([
      'zones[0].records[0].name',
      'zones[0].records[1].name',
      'zones[0].records[1].ttl',
    ]);
  });

  it('rejects a timeout not shorter than the interval and duplicate listen addresses', () => {
    const text = HEAD.replace(
      'url: "https://192.0.2.10/" }',
      'url: "https://192.0.2.10/", timeout: 10s }',
    ).concat('listen: { dns: ["[::1]:53", "[0:0::1]:53"], http: "[::1]:53" }\n');
    expect(pathsOf(text)).toEqual(['checks.web.timeout', 'listen.dns[1]', 'listen.http']);
  });
});

describe('warnings', () => {
  it('warns about a minVoters above the number of regions', () => {
    const { warnings, config } = parseConfig('regions: [a, b]\ndecider: { minVoters: 3 }\n', { env: {} });
    expect(config.decider.minVoters).toBe(3);
    expect(warnings).toEqual([expect.objectContaining({ path: 'decider.minVoters', line: 2, column: 23 })]);
  });

  it('warns about an early failback and an answer without a check, but still loads', () => {
    const { warnings, config } = parseConfig(
      zone(`    failover:
      - name: app
        type: A
        ttl: 120
        failbackAfter: 30s
        answers: [{ values: [192.0.2.1] }, { values: [192.0.2.2], check: null }]
`),
      { env: {} },
    );
    expect(config.zones[0]!.failover[0]!.failbackAfter).toBe(30_000);
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ['zones[0].failover[0].failbackAfter', 12],
      ['zones[0].failover[0].answers[0]', 13],
    ]);
    expect(warnings[0]!.message).toMatch(/shorter than the TTL \(120s\)/);
    expect(warnings[1]!.message).toMatch(/no check, so it is always considered healthy/);
  });
});
