import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const base = `regions: [a, b]
checks:
  web-a: { type: http, host: 192.0.2.1 }
  web-b: { type: http, host: 192.0.2.2 }
`;
const problems = (checks: string) => problemsOf(base + checks).map((p) => [p.path, p.message]);
const parse = (checks: string) => parseConfig(base + checks, { env: {}, baseDir: '/cfg' }).config;

describe('dns checks', () => {
  it('fills defaults and canonicalizes the query name and the expected values', () => {
    const c = parse(`  ns:
    type: dns
    host: 192.0.2.53
    name: WWW.Example.TEST
    expectAnswers: { contains: ["2001:DB8::0:1"] }
    recordType: AAAA
`).checks.find((x) => x.id === 'ns');
    expect(c).toMatchObject({
      type: 'dns',
      host: '192.0.2.53',
      port: 53,
      name: 'www.example.test.',
      recordType: 'AAAA',
      transport: 'udp',
      expectRcode: 'NOERROR',
      expectAnswers: { contains: ['2001:db8::1'] },
      regions: ['a', 'b'],
      interval: 10_000,
    });
  });

  it('names every bad field by its path', () => {
    expect(
      problems(`  ns:
    type: dns
    port: 53
    recordType: PTRX
    expectRcode: NXDOMAIN
    expectAnswers: { exact: [192.0.2.1] }
    path: /x
`),
    ).toEqual(
      expect.arrayContaining([
        ['checks.ns.host', 'is required for dns checks (the server to query)'],
        ['checks.ns.name', 'is required for dns checks (the name to query)'],
        ['checks.ns.recordType', '"PTRX" must be one of A, AAAA, CNAME, NS, MX, TXT, SRV, CAA, SOA'],
        ['checks.ns.path', 'does not apply to dns checks'],
      ]),
    );
    expect(
      problems(`  ns: { type: dns, host: 192.0.2.53, name: a.test, expectRcode: NXDOMAIN, expectAnswers: { exact: [] } }
`),
    ).toEqual([['checks.ns.expectAnswers', expect.stringMatching(/only applies with expectRcode NOERROR/)]]);
    expect(
      problems(`  ns: { type: dns, host: 192.0.2.53, name: a.test, expectAnswers: { exact: [192.0.2.1, not-an-ip] } }
`),
    ).toEqual([['checks.ns.expectAnswers.exact[1]', expect.stringMatching(/is not a valid A value/)]]);
  });
});

describe('composite checks', () => {
  it('reads children, atLeast (default 1) and invert (default false)', () => {
    const checks = parse(`  both: { type: composite, children: [web-a, web-b], atLeast: 2 }
  not-a: { type: composite, children: [web-a], invert: true }
  any: { type: composite, children: [both, not-a] }
`).checks;
    expect(checks.filter((c) => c.type === 'composite')).toEqual([
      { id: 'both', type: 'composite', children: ['web-a', 'web-b'], atLeast: 2, invert: false },
      { id: 'not-a', type: 'composite', children: ['web-a'], invert: true, atLeast: 1 },
      { id: 'any', type: 'composite', children: ['both', 'not-a'], atLeast: 1, invert: false },
    ]);
  });

  it('refuses unknown children, itself, duplicates and atLeast beyond the children', () => {
    expect(
      problems(`  c:
    type: composite
    children: [web-a, web-c, c, web-a]
    atLeast: 3
`),
    ).toEqual([
      ['checks.c.children[1]', 'no check "web-c" is defined (did you mean "web-a"?)'],
      ['checks.c.children[2]', 'a composite cannot be its own child'],
      ['checks.c.children[3]', 'duplicate child "web-a"'],
      ['checks.c.atLeast', expect.stringMatching(/at most the number of children \(3 > 1\)/)],
    ]);
    expect(problems('  c: { type: composite, children: [web-a], atLeast: 0 }\n')).toEqual([
      ['checks.c.atLeast', expect.stringMatching(/must be >= 1/)],
    ]);
    expect(problems('  c: { type: composite }\n')).toEqual([
      ['checks.c.children', 'is required for composite checks'],
    ]);
  });

  it('refuses a cycle among composites, naming it', () => {
    expect(
      problems(`  x: { type: composite, children: [y] }
  y: { type: composite, children: [web-a, z] }
  z: { type: composite, children: [x] }
`),
    ).toEqual([['checks.x.children', expect.stringMatching(/cycle: x → y → z → x/)]]);
  });

  it('refuses probe settings on a composite, and invert on a probed check, with the way to do it', () => {
    expect(
      problems(`  c: { type: composite, children: [web-a], regions: [a], interval: 5s, timeout: 1s, host: 192.0.2.9 }
  web-c: { type: http, host: 192.0.2.3, invert: true }
`),
    ).toEqual([
      [
        'checks.c.regions',
        expect.stringMatching(/does not apply to composite checks: a composite is not probed/),
      ],
      ['checks.c.interval', expect.stringMatching(/does not apply to composite checks/)],
      ['checks.c.timeout', expect.stringMatching(/does not apply to composite checks/)],
      ['checks.c.host', expect.stringMatching(/does not apply to composite checks/)],
      [
        'checks.web-c.invert',
        expect.stringMatching(/wrap it in \{ type: composite, children: \[id\], invert: true \}/),
      ],
    ]);
  });

  it('may back a failover answer like any other check', () => {
    const cfg = parse(`  any: { type: composite, children: [web-a, web-b] }
zones:
  - apex: example.test
    soa: { mname: ns1.example.test, rname: hostmaster.example.test }
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        answers:
          - { name: primary, values: [192.0.2.10], check: any }
          - { name: backup, values: [198.51.100.10] }
`);
    expect(cfg.zones[0]!.failover[0]!.answers[0]!.check).toBe('any');
  });
});

describe('examples/check-kinds.example.yaml', () => {
  it('validates without problems or warnings', async () => {
    const file = new URL('../../../examples/check-kinds.example.yaml', import.meta.url).pathname;
    const { config, warnings } = await loadConfig(file, { env: {} });
    expect(warnings).toEqual([]);
    expect(config.checks.map((c) => `${c.id}:${c.type}`)).toEqual([
      'web-a:https',
      'web-b:https',
      'web-any:composite',
      'no-maintenance:composite',
      'maintenance-page:http',
      'resolver:dns',
    ]);
  });
});
