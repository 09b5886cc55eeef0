/** YAML for system tests: three regions, quorum 2/3, fast checks. */
export interface SystemConfigInput {
  dnsPort: number;
  httpPort: number;
  stateFile: string;
  caFile: string;
  primaryUrl: string;
  secondaryUrl: string;
  expiringUrl: string;
  interval: string;
  timeout: string;
  fall: number;
  rise: number;
  failbackAfter: string;
}

export function systemConfig(c: SystemConfigInput): string {
  const check = (url: string, extra = '') => `
    type: https
    url: ${url}/health
    sni: localhost
    tls: { verify: true, caFile: ${c.caFile}, minCertDays: 7 }
    interval: ${c.interval}
    timeout: ${c.timeout}
    fall: ${c.fall}
    rise: ${c.rise}${extra}`;
  return `regions: [us-east, eu-west, ap-south]
quorum: "2/3"
listen:
  dns: ["127.0.0.1:${c.dnsPort}", "[::1]:${c.dnsPort}"]
  http: "127.0.0.1:${c.httpPort}"
state:
  file: ${c.stateFile}
decider:
  tickInterval: 200ms
admin:
  tokens:
    - { name: oncall, token: "\${UNDERSTUDY_TEST_ADMIN_TOKEN}" }
logging: { level: info }
checks:
  primary:${check(c.primaryUrl)}
  secondary:${check(c.secondaryUrl)}
  expiring:${check(c.expiringUrl)}
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
        fallbacks: { sorry: [203.0.113.10] }
        whenAllDown: sorry
        failbackAfter: ${c.failbackAfter}
        flapDamping: false
      - name: cert
        type: A
        ttl: 5
        answers:
          - { name: primary, values: [192.0.2.20], check: expiring }
          - { name: secondary, values: [198.51.100.20] }
        failbackAfter: ${c.failbackAfter}
`;
}
