import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';

/** `n` failover records with a failbackAfter shorter than their TTL, each on its own line from line 8. */
function configWith(n: number): string {
  const lines = [
    'regions: [eu]',
    'checks:',
    '  web: { type: tcp, host: 192.0.2.1, port: 80 }',
    'zones:',
    '  - apex: example.test.',
    '    ns: [ns1.example.test.]',
    '    failover:',
  ];
  for (let i = 0; i < n; i++)
    lines.push(
      `      - { name: f${i}, type: A, ttl: 30, failbackAfter: 2s, answers: [` +
        `{ values: [192.0.2.${i % 250}], check: web }, { values: [198.51.100.1], check: web }] }`,
    );
  return `${lines.join('\n')}\n`;
}

const parse = (text: string) => parseConfig(text, { env: {}, source: 'test.yaml' });

describe('warnings that apply to many records', () => {
  it('are reported once, with the count and the first places, at the first place', () => {
    const { warnings } = parse(configWith(1_000));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ path: 'zones[0].failover[0].failbackAfter', line: 8 });
    expect(warnings[0]!.message).toBe(
      '2s is shorter than the TTL (30s): resolvers still cache the old answer, so a failback this early can flap ' +
        'clients (and 999 more like it, e.g. zones[0].failover[1].failbackAfter (line 9), ' +
        'zones[0].failover[2].failbackAfter (line 10))',
    );
  });

  it('are reported one by one while there are only a few', () => {
    const { warnings } = parse(configWith(3));
    expect(warnings.map((w) => [w.path, w.line])).toEqual([
      ['zones[0].failover[0].failbackAfter', 8],
      ['zones[0].failover[1].failbackAfter', 9],
      ['zones[0].failover[2].failbackAfter', 10],
    ]);
    expect(warnings.every((w) => !w.message.includes('more like it'))).toBe(true);
  });

  it('keep warnings of another kind apart, in document order', () => {
    const text = `${configWith(5)}    records:\n      - { name: d, type: A, values: [192.0.2.1, 192.0.2.1] }\n`;
    const { warnings } = parse(text);
    expect(warnings.map((w) => w.path)).toEqual([
      'zones[0].failover[0].failbackAfter',
      'zones[0].records[0].values[1]',
    ]);
    expect(warnings[0]!.message).toContain('(and 4 more like it');
  });
});
