import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';

const config = (records: string, failover = ''): string => `regions: [r1]
checks:
  web: { type: tcp, host: 127.0.0.1, port: 9 }
zones:
  - apex: example.test
    ns: [ns1.example.test.]
    records:
${records}
${failover}`;

const warningsOf = (text: string): string[] =>
  parseConfig(text, { baseDir: '/tmp', env: {}, source: 't.yaml' }).warnings.map(
    (w) => `${w.path}: ${w.message}`,
  );

describe('CNAME loops (issue 15)', () => {
  it('warns about a loop, naming its names and records', () => {
    const w = warningsOf(
      config(`      - { name: a, type: CNAME, values: [b.example.test.] }
      - { name: b, type: CNAME, values: [c.example.test.] }
      - { name: c, type: CNAME, values: [A.example.test.] }
      - { name: d, type: CNAME, values: [a.example.test.] }`),
    ).filter((m) => m.includes('CNAME loop'));
    expect(w).toEqual([
      'zones[0].records[0]: CNAME loop a.example.test. → b.example.test. → c.example.test. → a.example.test. ' +
        '(zones[0].records[0], zones[0].records[1], zones[0].records[2]): queries for these names get the CNAMEs and never an address',
    ]);
  });

  it('warns about a CNAME to itself and about a loop through a failover CNAME answer', () => {
    const w = warningsOf(
      config(
        `      - { name: self, type: CNAME, values: [self.example.test.] }
      - { name: back, type: CNAME, values: [app.example.test.] }`,
        `    failover:
      - name: app
        type: CNAME
        answers:
          - { values: [www.example.test.], check: web }
          - { values: [back.example.test.], check: web }`,
      ),
    ).filter((m) => m.includes('CNAME loop'));
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(
      /^zones\[0\]\.records\[0\]: CNAME loop self\.example\.test\. → self\.example\.test\. /,
    );
    expect(w[1]).toContain('back.example.test. → app.example.test. → back.example.test.');
    expect(w[1]).toContain('(zones[0].records[1], zones[0].failover[0])');
  });

  it('says nothing about chains that end', () => {
    const w = warningsOf(
      config(`      - { name: a, type: CNAME, values: [b.example.test.] }
      - { name: b, type: CNAME, values: [c.example.test.] }
      - { name: c, type: A, values: [192.0.2.1] }
      - { name: d, type: CNAME, values: [b.example.test.] }`),
    );
    expect(w.filter((m) => m.includes('CNAME'))).toEqual([]);
  });
});
