import { describe, expect, it } from 'vitest';
import type { HttpCheckConfig } from '@understudy/core';
import { substitute } from './interpolate.js';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const SECRET = 's3cr3t-t0ken-value';

describe('substitute', () => {
  const run = (text: string, env: Record<string, string | undefined>) => substitute(text, env, new Map());

  it('replaces set variables, uses defaults for unset or empty ones, and keeps $${ literal', () => {
    expect(run('a ${X} b', { X: '1' }).text).toBe('a 1 b');
    expect(run('${X:-dflt}', {}).text).toBe('dflt');
    expect(run('${X:-dflt}', { X: '' }).text).toBe('dflt');
    expect(run('${X:-}', {}).text).toBe('');
    expect(run('${X:-a:-b}', {}).text).toBe('a:-b');
    expect(run('$${X} ${Y}', { X: 'no', Y: 'yes' }).text).toBe('${X} yes');
    expect(run('cost $5 and $$ and $', {}).text).toBe('cost $5 and $$ and $');
    expect(run('plain', {}).changed).toBe(false);
  });

  it('reports missing variables and malformed references', () => {
    expect(run('${NOPE}', {}).errors).toEqual([expect.stringMatching(/NOPE is not set/)]);
    expect(run('${1BAD}', {}).errors).toEqual([expect.stringMatching(/not a valid variable reference/)]);
    expect(run('${OPEN', {}).errors).toEqual([expect.stringMatching(/no closing/)]);
  });
});

describe('env interpolation in configs', () => {
  const CONFIG = `regions: [a]
listen:
  dns: ["127.0.0.1:\${DNS_PORT}"]
probe:
  jitter: \${JITTER:-0.2}
checks:
  web:
    type: https
    url: "https://\${ORIGIN}/health"
    headers:
      Authorization: "Bearer \${TOKEN}"
      X-Literal: "$\${NOT_A_VAR}"
    interval: \${INTERVAL:-30s}
    fall: \${FALL}
`;
  const env = { DNS_PORT: '5353', ORIGIN: '192.0.2.7:8443', TOKEN: SECRET, FALL: '4' };

  it('resolves set variables, defaults and escapes before validation, keeping plain scalars typed', () => {
    const { config } = parseConfig(CONFIG, { env });
    const web = config.checks[0] as HttpCheckConfig;
    expect(config.listen.dns).toEqual([{ host: '127.0.0.1', port: 5353 }]);
    expect(config.probe.jitter).toBe(0.2);
    expect(web.host).toBe('192.0.2.7');
    expect(web.port).toBe(8443);
    expect(web.headers).toEqual({ Authorization: `Bearer ${SECRET}`, 'X-Literal': '${NOT_A_VAR}' });
    expect(web.interval).toBe(30_000);
    expect(web.fall).toBe(4);
  });

  it('reports a missing variable with its path and line, and only that problem at that spot', () => {
    const problems = problemsOf(CONFIG, { ...env, ORIGIN: '' });
    expect(problems).toEqual([
      {
        path: 'checks.web.url',
        message: expect.stringMatching(/environment variable ORIGIN is not set/) as unknown,
        line: 9,
        column: 10,
      },
    ]);
  });

  it('reports every missing variable at once', () => {
    const problems = problemsOf(CONFIG, {});
    expect(problems.map((p) => p.path)).toEqual([
      'listen.dns[0]',
      'checks.web.url',
      'checks.web.headers.Authorization',
      'checks.web.fall',
    ]);
  });

  it('never prints a variable value in a message', () => {
    const text = `regions: [a]
checks:
  web:
    type: https
    url: "https://\${HOST}/x"
    headers: { "X-Token": "\${TOKEN}" }
    fall: \${TOKEN}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: x, type: A, value: "\${TOKEN}" }
`;
    let message = '';
    try {
      parseConfig(text, { env: { TOKEN: SECRET, HOST: `bad host ${SECRET}` }, source: 's.yaml' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/3 problems/);
    expect(message).toContain('checks.web.url');
    expect(message).toContain('checks.web.fall');
    expect(message).toContain('zones[0].records[0].value');
    expect(message).not.toContain(SECRET);
    expect(message).not.toContain('s3cr3t');
    expect(message).toContain('${TOKEN}');
  });
});

describe('typing of interpolated values', () => {
  const CONFIG = `regions: [a]
dns:
  workers: \${WORKERS}
checks:
  web:
    type: https
    host: 192.0.2.7
    port: \${PORT}
    headers:
      X-Octal: \${OCTAL}
      X-Exp: \${EXP}
      X-Long: \${LONG}
      X-Zeros: \${ZEROS}
      X-Bool: \${BOOL}
      X-Mixed: \${OCTAL}-\${ZEROS}
    tls:
      verify: \${VERIFY}
    expectStatus:
      - \${STATUS}
    interval: \${INTERVAL}
    fall: \${FALL}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - name: t
        type: TXT
        value: \${ZEROS}
    failover:
      - name: app
        type: A
        flapDamping: \${DAMPING}
        answers: [{ values: [192.0.2.1], check: web }]
`;
  const env = {
    WORKERS: '2',
    PORT: '8443',
    OCTAL: '0123',
    EXP: '1e3',
    LONG: '12345678901234567890',
    ZEROS: '007',
    BOOL: 'true',
    VERIFY: 'false',
    STATUS: '204',
    INTERVAL: '15',
    FALL: '5',
    DAMPING: 'false',
  };
  const { config } = parseConfig(CONFIG, { env });
  const web = config.checks[0] as HttpCheckConfig;

  it('keeps the exact text where a string is accepted (headers, TXT)', () => {
    expect(web.headers).toEqual({
      'X-Octal': '0123',
      'X-Exp': '1e3',
      'X-Long': '12345678901234567890',
      'X-Zeros': '007',
      'X-Bool': 'true',
      'X-Mixed': '0123-007',
    });
    expect(config.zones[0]!.records[0]!.values).toEqual(['"007"']);
  });

  it('types the text only where the schema needs a number or boolean', () => {
    expect(web.port).toBe(8443);
    expect(web.fall).toBe(5);
    expect(web.tls.verify).toBe(false);
    expect(config.dns.workers).toBe(2);
    expect(config.zones[0]!.failover[0]!.flapDamping).toBeNull();
    // string-or-number fields read the text the way they read a number
    expect(web.expectStatus).toEqual([{ from: 204, to: 204 }]);
    expect(web.interval).toBe(15_000);
  });

  it('still takes the listed string of an enum-or-number field, and a quoted scalar stays a string', () => {
    const auto = parseConfig(CONFIG, { env: { ...env, WORKERS: 'auto' } });
    expect(auto.config.dns.workers).toBe('auto');
    const quoted = problemsOf(CONFIG.replace('port: ${PORT}', 'port: "${PORT}"'), env);
    expect(quoted.map((p) => [p.path, p.message])).toEqual([['checks.web.port', 'must be an integer']]);
  });

  it('types values inside YAML merge keys by where they land', () => {
    const text = `regions: [a]
checks:
  web:
    <<:
      type: tcp
      host: 192.0.2.1
      port: \${PORT}
    fall: \${FALL}
`;
    const tcp = parseConfig(text, { env: { PORT: '25', FALL: '2' } }).config.checks[0]!;
    expect(tcp).toMatchObject({ port: 25, fall: 2 });
    expect(problemsOf(text, { FALL: '2' })).toContainEqual(
      expect.objectContaining({ message: expect.stringMatching(/PORT is not set/) as unknown, line: 7 }),
    );
  });
});
