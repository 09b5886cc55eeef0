import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@understudy/core';
import { loadConfig } from './load-config.js';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const BAD = `regions: [us-east, eu-west, us-east, Bad]
quorum: "4/3"
listen:
  dns: ["127.0.0.1:5300", "127.0.0.1:5300", "[::1]:99999"]
decider:
  massFailureGuard: { share: 0 }
checks:
  web:
    type: htps
    url: https://192.0.2.1/
  api:
    type: https
    url: http://192.0.2.2/x
    intervall: 10s
    timeout: 20s
    regions: [us-east, mars]
  tcp1:
    type: tcp
    host: 192.0.2.3
    method: GET
  BadId:
    type: http
    host: x.test
    expectStatus: [99, "300-200"]
    body: { regex: "([" }
    interval: 5x
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: www, type: CNAME, value: app.example.test }
      - { name: www, type: A, value: 192.0.2.1 }
      - { name: x.other.test., type: A, value: 192.0.2.1 }
      - { name: y, type: AAAA, value: 192.0.2.1 }
      - { name: z, type: MX, value: { preference: 1 } }
    failover:
      - name: app
        type: A
        answers:
          - { name: primary, values: [192.0.2.10], check: webb }
          - { name: primary, values: [198.51.100.10] }
        whenAllDown: sory
        fallbacks: { sorry: [not-an-ip] }
      - name: app
        type: A
        answers: [{ values: [192.0.2.1], check: web }]
  - apex: example.test.
    ttl: -5
`;

describe('problem reports', () => {
  it('reports every problem of a bad file, each with its path, line and column', () => {
    const problems = problemsOf(BAD);
    const got = problems.map((p) => [p.path, p.line, p.column]);
    expect(got).toEqual([
      ['regions[2]', 1, 29],
      ['regions[3]', 1, 38],
      ['quorum', 2, 9],
      ['listen.dns[1]', 4, 27],
      ['listen.dns[2]', 4, 45],
      ['decider.massFailureGuard.share', 6, 30],
      ['checks.web.type', 9, 11],
      ['checks.api.url', 13, 10],
      ['checks.api.intervall', 14, 5],
      ['checks.api.timeout', 15, 14],
      ['checks.api.regions[1]', 16, 24],
      ['checks.tcp1.port', 18, 5],
      ['checks.tcp1.method', 20, 5],
      ['checks.BadId', 21, 3],
      ['checks.BadId.expectStatus[0]', 24, 20],
      ['checks.BadId.expectStatus[1]', 24, 24],
      ['checks.BadId.body.regex', 25, 20],
      ['checks.BadId.interval', 26, 15],
      ['zones[0].records[0]', 31, 9],
      ['zones[0].records[2].name', 33, 17],
      ['zones[0].records[3].value', 34, 39],
      ['zones[0].records[4].value', 35, 37],
      ['zones[0].failover[0].answers[0].check', 40, 59],
      ['zones[0].failover[0].answers[1].name', 41, 21],
      ['zones[0].failover[0].whenAllDown', 42, 22],
      ['zones[0].failover[0].fallbacks.sorry[0]', 43, 30],
      ['zones[0].failover[1]', 44, 9],
      ['zones[1].ns', 47, 5],
      ['zones[1].apex', 47, 11],
      ['zones[1].ttl', 48, 10],
    ]);
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    expect(byPath.get('checks.api.intervall')).toBe('unknown key "intervall" (did you mean "interval"?)');
    expect(byPath.get('checks.web.type')).toMatch(/did you mean "https"/);
    expect(byPath.get('checks.api.regions[1]')).toMatch(/"mars" is not declared/);
    expect(byPath.get('zones[0].failover[0].answers[0].check')).toMatch(/"webb" is not defined.*"web"/);
    expect(byPath.get('zones[0].failover[0].whenAllDown')).toMatch(/did you mean "sorry"/);
    expect(byPath.get('zones[0].records[0]')).toMatch(/CNAME .* cannot coexist/);
    expect(byPath.get('zones[1].ns')).toBe('is required but missing');
    expect(byPath.get('checks.BadId.interval')).toMatch(/"5x" is not a duration/);
  });

  it('formats the thrown error with the source, positions and count', () => {
    expect(() => parseConfig(BAD, { env: {}, source: 'bad.yaml' })).toThrow(
      /^bad\.yaml: 30 problems\n {2}bad\.yaml:1:29 regions\[2\]: duplicate region "us-east"/,
    );
  });

  it('lists allowed keys when an unknown key is not a near miss', () => {
    const [p] = problemsOf('regions: [a]\nprobe: { colour: blue }\n');
    expect(p).toMatchObject({ path: 'probe.colour', line: 2, column: 10 });
    expect(p!.message).toBe('unknown key "colour"; allowed keys: flushInterval, jitter, health');
  });

  it.each([
    ['dns: { workers: 0 }', 'dns.workers'],
    ['dns: { workers: many }', 'dns.workers'],
    ['dns: { udpPayloadSize: 100 }', 'dns.udpPayloadSize'],
    ['dns: { tcpIdleTimeout: soon }', 'dns.tcpIdleTimeout'],
    ['dns: { limits: { tcpFrameTimeout: 10ms } }', 'dns.limits.tcpFrameTimeout'],
    ['dns: { limits: { tcpMaxConnectionsPerClient: 0 } }', 'dns.limits.tcpMaxConnectionsPerClient'],
    ['dns: { limits: { rateLimit: { slip: -1 } } }', 'dns.limits.rateLimit.slip'],
    ['dns: { limits: { rateLimit: { ipv4PrefixLength: 33 } } }', 'dns.limits.rateLimit.ipv4PrefixLength'],
  ])('rejects %s at %s', (line, path) => {
    const problems = problemsOf(`regions: [a]\n${line}\n`);
    expect(problems.map((p) => p.path)).toContain(path);
    expect(problems.find((p) => p.path === path)).toMatchObject({ line: 2 });
  });

  it('reports YAML syntax errors with line and column', () => {
    const problems = problemsOf('regions: [a, b\nquorum: all\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(1);
    expect(problems[0]!.column).toBeGreaterThanOrEqual(1);
    const dup = problemsOf('regions: [a]\nregions: [b]\n');
    expect(dup[0]).toMatchObject({ line: 2, column: 1 });
    expect(dup[0]!.message).toMatch(/unique/);
  });

  it('reports an empty file and a non-map document', () => {
    expect(problemsOf('')[0]!.message).toMatch(/empty/);
    expect(problemsOf('# only a comment\n')[0]!.message).toMatch(/empty/);
    expect(problemsOf('- a\n- b\n')[0]).toMatchObject({ path: '', message: 'must be a map', line: 1 });
  });

  it('points a missing required key at its parent', () => {
    const [p] = problemsOf('quorum: all\n');
    expect(p).toMatchObject({ path: 'regions', message: 'is required but missing', line: 1, column: 1 });
  });

  it('does not pile semantic errors on a value the schema already rejected', () => {
    const problems = problemsOf('regions: [a]\nchecks:\n  x: { type: tcp, host: [1], port: 1 }\n');
    expect(problems.map((p) => p.path)).toEqual(['checks.x.host']);
  });
});

describe('loadConfig', () => {
  it('reads a file and resolves relative paths against its directory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'understudy-config-'));
    try {
      const file = path.join(dir, 'u.yaml');
      await writeFile(file, 'regions: [a]\nstate: { file: ./s.json }\n');
      const loaded = await loadConfig(file, { env: {} });
      expect(loaded.source).toBe(file);
      expect(loaded.config.state.file).toBe(path.join(dir, 's.json'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('turns an unreadable file into a ConfigError with a clear message', async () => {
    const missing = path.join(os.tmpdir(), 'understudy-no-such-dir', 'nope.yaml');
    const err = await loadConfig(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toContain(`cannot read config file ${missing}: no such file`);
    const dirErr = await loadConfig(os.tmpdir()).catch((e: unknown) => e);
    expect((dirErr as ConfigError).message).toMatch(/is a directory/);
  });
});
