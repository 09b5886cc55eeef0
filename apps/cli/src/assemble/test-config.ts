/** The assembler tests' config: one region, one TCP check, one failover record (test support only). */
export interface TestConfigOptions {
  dnsPort?: number;
  /** listen.http; none when absent. */
  http?: string;
  dashboard?: string | null;
  ttl?: number;
  quorum?: string;
}

export function testConfigYaml(o: TestConfigOptions = {}): string {
  const listen = [
    `  dns: ["127.0.0.1:${o.dnsPort ?? 0}"]`,
    ...(o.http ? [`  http: "${o.http}"`] : []),
    ...(o.dashboard ? [`  dashboard: "${o.dashboard}"`] : []),
  ];
  return `regions: [r1]
quorum: "${o.quorum ?? '1/1'}"
listen:
${listen.join('\n')}
dns: { workers: 1 }
decider: { tickInterval: 200ms }
checks:
  primary: { type: tcp, host: 127.0.0.1, port: 1, interval: 1s, timeout: 500ms }
zones:
  - apex: example.test
    ns: [ns1.example.test]
    records:
      - { name: ns1, type: A, values: [127.0.0.1] }
    failover:
      - name: app
        type: A
        ttl: ${o.ttl ?? 5}
        answers:
          - { name: primary, values: [192.0.2.10], check: primary }
          - { name: secondary, values: [198.51.100.10] }
`;
}
