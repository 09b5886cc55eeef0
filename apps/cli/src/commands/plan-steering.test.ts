import { describe, expect, it } from 'vitest';
import { parseConfig } from '@understudy/config';
import { formatPlans } from './plan-format.js';
import { steeringNotes } from './plan-steering.js';

const CONFIG = `regions: [us-east, eu-west]
checks:
  us: { type: http, url: "http://192.0.2.1/" }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: www
        type: A
        answers:
          - { name: us, values: [192.0.2.1], check: us }
          - { name: eu, values: [198.51.100.1] }
        steering: { rules: [{ match: { continents: [EU] }, order: [eu, us] }, { match: { countries: [US] }, order: [us] }] }
      - name: api
        type: A
        answers: [{ name: us, values: [192.0.2.2], check: us }]
  - apex: other.test
    ns: [ns1.other.test]
    failover:
      - name: www
        type: A
        answers: [{ name: a, values: [192.0.2.3], check: us }]
        steering: { rules: [{ match: { continents: [EU] }, order: [a] }] }
targets:
  - { name: r53, type: route53, zones: [{ apex: example.test }] }
  - { name: cf, type: cloudflare, apiToken: t, zones: [{ apex: other.test }, { apex: example.test }] }
`;

describe('plan notes for steered records (issue 14 part 3)', () => {
  it('names each steered record per target that syncs its zone', () => {
    const notes = steeringNotes(parseConfig(CONFIG, { env: {} }).config);
    const note = (id: string, n: number) =>
      `${id} is steered by client location (${n} rule(s)): only the built-in DNS server serves that; this target gets the record's default answer`;
    expect(notes.get('r53')).toEqual([note('www.example.test./A', 2)]);
    // Config order of the zones.
    expect(notes.get('cf')).toEqual([note('www.example.test./A', 2), note('www.other.test./A', 1)]);
  });

  it('prints them under the target', () => {
    const result = {
      target: 'r53',
      serial: 1,
      plans: [],
      safety: { safe: true, violations: [] },
      warnings: [],
    };
    const text = formatPlans([result], 'x', new Map(), new Map([['r53', ['www is steered']]]));
    expect(text).toContain('target r53: in sync\n  note: www is steered\n');
  });
});
