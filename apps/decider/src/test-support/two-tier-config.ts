/**
 * The decider tests' record: app.example.test/A with a primary (check p) and a secondary (check s), three
 * regions, quorum 2/3. A test adds record settings by appending lines indented under the record (8 spaces),
 * or changes the few that differ between the tests' copies through twoTierYaml.
 */
export function twoTierYaml(opts: { pFall?: number; ttl?: number; failbackAfter?: string } = {}): string {
  const failback = opts.failbackAfter === undefined ? '' : `\n        failbackAfter: ${opts.failbackAfter}`;
  return `
regions: [a, b, c]
quorum: "2/3"
listen: { http: null }
decider: { tickInterval: 50ms }
checks:
  p: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, fall: ${opts.pFall ?? 1}, rise: 1 }
  s: { type: tcp, host: 127.0.0.1, port: 2, interval: 1s, fall: 1, rise: 1 }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    failover:
      - name: app
        type: A
        ttl: ${opts.ttl ?? 30}${failback}
        answers:
          - { name: primary, values: [192.0.2.10], check: p }
          - { name: secondary, values: [198.51.100.10], check: s }
`;
}

export const TWO_TIER_YAML = twoTierYaml();
