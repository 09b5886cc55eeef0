import { describe, expect, it } from 'vitest';
import { parseConfig } from './parse-config.js';
import { problemsOf } from './test-support/problems-of.js';

const HEAD = `regions: [us-east, eu-west, eu-central]
checks:
  us-web: { type: http, url: "http://192.0.2.1/" }
  eu-web: { type: http, url: "http://198.51.100.1/" }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: www
        type: A
        answers:
          - { name: us, values: [192.0.2.1], check: us-web }
          - { name: eu, values: [198.51.100.1], check: eu-web }
`;
const doc = (steering: string) => `${HEAD}        steering:\n${steering}`;
const messageAt = (text: string, path: string) => problemsOf(text).find((p) => p.path === path)?.message;
const RULES = 'zones[0].failover[0].steering.rules';

describe('steering rules in the config (issue 14 part 3)', () => {
  it('builds the rules with their defaults, upper-casing country codes', () => {
    const text = doc(`          rules:
            - match: { continents: [EU, af] }
              order: [eu, us]
              healthFrom: [eu-west, eu-central]
            - match: { countries: [us, CA] }
              order: [us]
`);
    const { config, warnings } = parseConfig(text, { env: {} });
    expect(warnings).toEqual([]);
    expect(config.zones[0]!.failover[0]!.steering).toEqual({
      rules: [
        {
          match: { countries: [], continents: ['EU', 'AF'] },
          order: ['eu', 'us'],
          healthFrom: ['eu-west', 'eu-central'],
        },
        { match: { countries: ['US', 'CA'], continents: [] }, order: ['us'], healthFrom: null },
      ],
    });
  });

  it('leaves an unsteered record exactly as before (no steering key)', () => {
    const { config } = parseConfig(HEAD, { env: {} });
    expect(Object.keys(config.zones[0]!.failover[0]!)).not.toContain('steering');
    const { config: nulled } = parseConfig(
      doc('          null\n').replace('steering:\n          null', 'steering: null'),
      { env: {} },
    );
    expect(Object.keys(nulled.zones[0]!.failover[0]!)).not.toContain('steering');
  });

  it('names an unknown answer in order, with a suggestion', () => {
    const text = doc(`          rules: [{ match: { countries: [DE] }, order: [euu, us] }]
`);
    expect(messageAt(text, `${RULES}[0].order[0]`)).toBe(
      '"euu" is not an answer of this record (answers: us, eu) (did you mean "eu"?)',
    );
  });

  it('names an unknown region in healthFrom', () => {
    const text = doc(`          rules: [{ match: { countries: [DE] }, order: [eu], healthFrom: [eu-wset] }]
`);
    expect(messageAt(text, `${RULES}[0].healthFrom[0]`)).toBe(
      'region "eu-wset" is not configured (regions: us-east, eu-west, eu-central) (did you mean "eu-west"?)',
    );
  });

  it('refuses a rule that matches nothing', () => {
    const text = doc(`          rules: [{ match: {}, order: [eu] }]
`);
    expect(messageAt(text, `${RULES}[0].match`)).toMatch(
      /^matches no client: list at least one country or continent/,
    );
  });

  it('refuses a bad country code and a continent outside the seven', () => {
    const text = doc(`          rules: [{ match: { countries: [DEU], continents: [EU, XX] }, order: [eu] }]
`);
    const problems = problemsOf(text);
    // The schema already rejects three letters; a two-letter non-continent is the semantic pass's.
    expect(problems.some((p) => p.path === `${RULES}[0].match.countries[0]`)).toBe(true);
    expect(messageAt(text, `${RULES}[0].match.continents[1]`)).toBe(
      '"XX" is not a continent code: one of AF, AN, AS, EU, NA, OC, SA',
    );
  });

  it('refuses an answer listed twice and an empty order', () => {
    expect(
      messageAt(
        doc(`          rules: [{ match: { countries: [DE] }, order: [eu, eu] }]\n`),
        `${RULES}[0].order[1]`,
      ),
    ).toBe('"eu" is listed twice');
    expect(
      problemsOf(doc(`          rules: [{ match: { countries: [DE] }, order: [] }]\n`)).length,
    ).toBeGreaterThan(0);
  });

  it('warns when a location is matched by an earlier rule', () => {
    const text = doc(`          rules:
            - { match: { countries: [DE] }, order: [eu] }
            - { match: { countries: [de, FR] }, order: [us] }
`);
    const { warnings } = parseConfig(text, { env: {} });
    expect(warnings.map((w) => [w.path, w.message])).toEqual([
      [
        `${RULES}[1].match`,
        'DE is already matched by rules[0], which wins: this rule never sees those clients',
      ],
    ]);
  });

  it('warns when no check of the ordered answers runs in the healthFrom regions', () => {
    const text =
      doc(`          rules: [{ match: { countries: [DE] }, order: [eu, us], healthFrom: [eu-central] }]
`)
        .replace(
          'eu-web: { type: http, url: "http://198.51.100.1/" }',
          'eu-web: { type: http, url: "http://198.51.100.1/", regions: [eu-west] }',
        )
        .replace(
          'us-web: { type: http, url: "http://192.0.2.1/" }',
          'us-web: { type: http, url: "http://192.0.2.1/", regions: [us-east, eu-west] }',
        );
    const { warnings } = parseConfig(text, { env: {} });
    expect(warnings.map((w) => [w.path, w.message])).toEqual([
      [
        `${RULES}[0].healthFrom`,
        "none of the checks of this rule's answers runs in eu-central: the rule always uses their global verdicts",
      ],
    ]);
  });

  it('accepts steering on a record with per-address answers', () => {
    const text = `${HEAD.replace(
      '- { name: eu, values: [198.51.100.1], check: eu-web }',
      '- { name: eu, addresses: [198.51.100.1, 198.51.100.2], minHealthy: 1 }',
    )}        steering: { rules: [{ match: { continents: [EU] }, order: [eu, us] }] }
`;
    const { config } = parseConfig(text, { env: {} });
    expect(config.zones[0]!.failover[0]!.steering?.rules[0]!.order).toEqual(['eu', 'us']);
  });

  it('warns once, with a count, when provider targets sync zones with steered records', () => {
    const text = `${doc(`          rules: [{ match: { continents: [EU] }, order: [eu, us] }]
`)}targets:
  - { name: r53, type: route53, zones: [{ apex: example.test }] }
  - { name: cf, type: cloudflare, apiToken: t, zones: [{ apex: example.test }] }
`;
    const { warnings } = parseConfig(text, { env: {} });
    const steering = warnings.filter((w) => w.message.includes('steered'));
    expect(steering).toHaveLength(1);
    expect(steering[0]!.message).toBe(
      `1 steered record(s) (e.g. www.example.test./A) are synced to provider target(s) "r53", "cf", which get each record's default answer: steering by client location is served only by the built-in DNS server`,
    );
  });
});
