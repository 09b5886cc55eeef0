import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const withCheck = (body: string) => `regions: [a]\nchecks:\n  c:\n${body}`;
const problems = (body: string) => problemsOf(withCheck(body)).map((p) => [p.path, p.message]);

describe('check rules', () => {
  it('refuses check ids and region names longer than result batches carry (200 characters)', () => {
    const long = 'a'.repeat(201);
    const paths = (text: string) => problemsOf(text).map((p) => p.path);
    expect(paths(`regions: [a]\nchecks:\n  ${long}: { type: tcp, host: 192.0.2.1, port: 1 }\n`)).toEqual([
      `checks.${long}`,
    ]);
    expect(paths(`regions: [${long}]\nchecks:\n  c: { type: tcp, host: 192.0.2.1, port: 1 }\n`)).toEqual([
      'regions[0]',
    ]);
    const ok = 'a'.repeat(200);
    expect(() =>
      parseConfig(`regions: [${ok}]\nchecks:\n  ${ok}: { type: tcp, host: 192.0.2.1, port: 1 }\n`, {
        env: {},
        baseDir: '/cfg',
      }),
    ).not.toThrow();
  });

  it('rejects credentials, fragments and bad hosts in a url', () => {
    expect(problems('    type: https\n    url: "https://user:pw@192.0.2.1/"\n')).toEqual([
      ['checks.c.url', expect.stringMatching(/must not contain credentials/)],
    ]);
    expect(problems('    type: https\n    url: "https://192.0.2.1/x#frag"\n')).toEqual([
      ['checks.c.url', expect.stringMatching(/#fragment/)],
    ]);
    expect(problems('    type: http\n    url: "not a url"\n')).toEqual([
      ['checks.c.url', '"not a url" is not a valid URL'],
    ]);
    expect(problems('    type: http\n    host: "bad host!"\n')).toEqual([
      ['checks.c.host', expect.stringMatching(/characters outside/)],
    ]);
  });

  it('rejects url together with host/port/path, a relative path, and a missing target', () => {
    expect(problems('    type: https\n    url: https://192.0.2.1/\n    host: 192.0.2.2\n')).toEqual([
      ['checks.c.host', 'give either url or host/port/path, not both'],
    ]);
    expect(problems('    type: http\n    host: 192.0.2.1\n    path: health\n')).toEqual([
      ['checks.c.path', 'must start with "/", got "health"'],
    ]);
    expect(problems('    type: https\n')).toEqual([['checks.c.host', 'is required (or url)']]);
    expect(problems('    type: tcp\n    url: tcp://192.0.2.1:1\n')).toEqual([
      ['checks.c.url', 'does not apply to tcp checks'],
    ]);
  });

  it('rejects http-only and https-only keys on the wrong type', () => {
    expect(
      problems(
        '    type: http\n    host: 192.0.2.1\n    sni: app.example.test\n    tls: { verify: false }\n',
      ),
    ).toEqual([
      ['checks.c.sni', 'does not apply to http checks'],
      ['checks.c.tls', 'does not apply to http checks'],
    ]);
  });

  it('rejects an IP address as SNI, a Host header in headers, and bad header names or values', () => {
    const got = problems(
      '    type: https\n    host: 192.0.2.1\n    sni: 192.0.2.1\n    headers:\n      Host: x\n      "Bad Name": y\n      X-Ok: "a\\nb"\n',
    );
    expect(got).toEqual([
      ['checks.c.sni', expect.stringMatching(/RFC 6066/)],
      ['checks.c.headers.Host', 'set the Host header with hostHeader'],
      ['checks.c.headers["Bad Name"]', '"Bad Name" is not a valid header name'],
      ['checks.c.headers.X-Ok', 'must not contain line breaks or NUL'],
    ]);
  });

  it('rejects a body with both or neither key, and timeouts of zero', () => {
    expect(problems('    type: http\n    host: 192.0.2.1\n    body: { contains: a, regex: b }\n')).toEqual([
      ['checks.c.body', 'must have exactly one of: contains, regex'],
    ]);
    expect(problems('    type: tcp\n    host: 192.0.2.1\n    port: 1\n    timeout: 0\n')).toEqual([
      ['checks.c.timeout', 'must be at least 1ms'],
    ]);
    expect(problems('    type: tcp\n    host: 192.0.2.1\n    port: 1\n    interval: 50ms\n')).toEqual([
      ['checks.c.interval', 'must be at least 100ms'],
    ]);
  });

  // issue #10: body regexes run on RE2 (linear time), so patterns only a backtracking engine knows are refused.
  it('rejects body regexes RE2 cannot compile (backreferences, lookaround), naming the field', () => {
    for (const pattern of ['(a)\\\\1', '(?=ok)', '(?<!x)ok']) {
      expect(problems(`    type: http\n    host: 192.0.2.1\n    body: { regex: "${pattern}" }\n`)).toEqual([
        ['checks.c.body.regex', expect.stringMatching(/not a valid RE2 pattern/)],
      ]);
    }
    const { config } = parseConfig(
      withCheck('    type: http\n    host: 192.0.2.1\n    body: { regex: "^(a+)+$" }\n'),
    );
    expect(config.checks[0]).toMatchObject({ body: { regex: '^(a+)+$' } });
  });
});
