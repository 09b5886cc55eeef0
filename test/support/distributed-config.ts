/** YAML for the distributed system tests: three regions, quorum 2/3, fast checks, a short lease. */
export interface DistributedConfigInput {
  dnsPort: number;
  httpPort: number;
  caFile: string;
  primaryUrl: string;
  secondaryUrl: string;
  interval: string;
  timeout: string;
  fall: number;
  rise: number;
  failbackAfter: string;
  leaseTtl: string;
  /** Appended to the health path of the primary check: a different value gives a different config hash. */
  variant?: string;
  /** YAML of dns.transfer (indented under it), for the zone-transfer test; `dns` is not in the config hash. */
  transfer?: string;
}

/** The operator token in distributedConfig (admin.tokens, name relay-oncall). */
export const DISTRIBUTED_ADMIN_TOKEN = 'relay-admin-token-7c1e9a52';

export function distributedConfig(c: DistributedConfigInput): string {
  const check = (url: string, path = '/health') => `
    type: https
    url: ${url}${path}
    sni: localhost
    tls: { verify: true, caFile: ${c.caFile} }
    interval: ${c.interval}
    timeout: ${c.timeout}
    fall: ${c.fall}
    rise: ${c.rise}`;
  return `regions: [us-east, eu-west, ap-south]
quorum: "2/3"
listen:
  dns: ["127.0.0.1:${c.dnsPort}"]
  http: "127.0.0.1:${c.httpPort}"
dns:
  workers: 1
${c.transfer ? `  transfer:\n${c.transfer}` : ''}admin:
  tokens: [{ name: relay-oncall, token: ${DISTRIBUTED_ADMIN_TOKEN} }]
decider:
  tickInterval: 200ms
  leaseTtl: ${c.leaseTtl}
logging: { level: info }
checks:
  primary:${check(c.primaryUrl, `/health${c.variant ?? ''}`)}
  secondary:${check(c.secondaryUrl)}
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.10], check: primary }
          - { name: secondary, values: [198.51.100.10], check: secondary }
        failbackAfter: ${c.failbackAfter}
        flapDamping: false
`;
}
