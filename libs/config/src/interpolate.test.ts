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
