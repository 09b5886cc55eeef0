import { describe, expect, it } from 'vitest';
import { probedChecks } from '@understudy/core';
import { parseConfig } from './parse-config.js';

const parse = (text: string) => parseConfig(text, { baseDir: '/etc/understudy', env: {} });

describe('parseConfig: value forms', () => {
  const zone = (records: string) =>
    parse(
      `regions: [a]\nzones:\n  - apex: example.test\n    ns: [ns1.example.test]\n    records:\n${records}`,
    ).config.zones[0]!.records;

  it('splits long TXT text into 255-byte strings and keeps explicit string lists', () => {
    const long = 'x'.repeat(300);
    const [plain, explicit] = zone(
      `      - { name: a, type: TXT, value: "${long}" }\n      - { name: b, type: TXT, values: [["one", "two"]] }\n`,
    );
    expect(plain!.values).toEqual([`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`]);
    expect(explicit!.values).toEqual(['"one" "two"']);
  });

  it('accepts SRV and CAA objects', () => {
    const [srv, caa] = zone(
      '      - { name: _sip._tcp, type: SRV, value: { priority: 1, weight: 2, port: 5060, target: sip.example.test } }\n' +
        '      - { name: "@", type: CAA, values: [{ flags: 0, tag: issue, value: ca.example.net }, "128 iodef mailto:x@example.test"] }\n',
    );
    expect(srv!.values).toEqual(['1 2 5060 sip.example.test.']);
    expect(caa!.values).toEqual(['0 issue "ca.example.net"', '128 iodef "mailto:x@example.test"']);
  });

  it('warns about and drops duplicate values', () => {
    const r = parse(
      'regions: [a]\nzones:\n  - apex: example.test\n    ns: [ns1.example.test]\n    records:\n      - { name: x, type: AAAA, values: ["2001:db8::1", "2001:DB8:0::1"] }\n',
    );
    expect(r.config.zones[0]!.records[0]!.values).toEqual(['2001:db8::1']);
    expect(r.warnings).toEqual([expect.objectContaining({ path: 'zones[0].records[0].values[1]', line: 6 })]);
  });

  it('halves the default timeout for short intervals', () => {
    const r = parse('regions: [a]\nchecks:\n  t: { type: tcp, host: 192.0.2.1, port: 1, interval: 1s }\n');
    expect(probedChecks(r.config.checks)[0]!.timeout).toBe(500);
  });

  it('defaults minVoters to the number of regions when there are fewer than two', () => {
    expect(parse('regions: [solo]\n').config.decider.minVoters).toBe(1);
  });
});

describe('parseConfig: YAML features', () => {
  it('supports anchors and merge keys for shared check settings', () => {
    const { config } = parse(`regions: [a]
checks:
  one: &one { type: tcp, host: 192.0.2.1, port: 1, interval: 30s, fall: 5 }
  two:
    <<: *one
    host: 192.0.2.2
`);
    expect(
      probedChecks(config.checks).map((c) => [c.id, c.type === 'tcp' && c.host, c.interval, c.fall]),
    ).toEqual([
      ['one', '192.0.2.1', 30_000, 5],
      ['two', '192.0.2.2', 30_000, 5],
    ]);
  });
});
