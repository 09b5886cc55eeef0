import { describe, expect, it } from 'vitest';
import type { CompositeCheckConfig, DnsCheckConfig, UnderstudyConfig } from '@understudy/core';
import { checkItem } from './check-items.js';
import { responseValidator } from './test-support/validate.js';

const valid = responseValidator();
const config = { decider: { staleAfterIntervals: 3, minVoters: 1 } } as UnderstudyConfig;

function dnsCheck(over: Partial<DnsCheckConfig> = {}): DnsCheckConfig {
  return {
    id: 'resolver',
    type: 'dns',
    host: '198.51.100.53',
    port: 53,
    name: 'www.example.test.',
    recordType: 'A',
    transport: 'udp',
    expectRcode: 'NOERROR',
    expectAnswers: null,
    interval: 10_000,
    timeout: 2_000,
    fall: 3,
    rise: 2,
    regions: ['us-east', 'eu-west'],
    quorum: { kind: 'majority' },
    ...over,
  };
}

describe('check items of the issue 14 kinds', () => {
  it('show a DNS check by its question and a composite by its rule, and pass the response schema', () => {
    const dns = checkItem(config, dnsCheck(), null, 0);
    expect(dns).toMatchObject({
      type: 'dns',
      target: 'dns://198.51.100.53:53/www.example.test. A',
      interval: 10_000,
    });
    expect(dns.regions.map((r) => r.region)).toEqual(['us-east', 'eu-west']);
    const not: CompositeCheckConfig = {
      id: 'no-maintenance',
      type: 'composite',
      children: ['maintenance-page'],
      atLeast: 1,
      invert: true,
    };
    const composite = checkItem(config, not, null, 0);
    expect(composite).toMatchObject({
      type: 'composite',
      target: 'not 1 of [maintenance-page]',
      quorum: 'not (at least 1 of [maintenance-page] up)',
      verdict: 'unknown',
      regions: [],
    });
    expect(valid('GET', '/api/v1/checks/:id', dns)).toBe(true);
    expect(valid('GET', '/api/v1/checks/:id', composite)).toBe(true);
  });

  it('brackets IPv6 hosts and marks TCP-only DNS checks', () => {
    const dns = dnsCheck({
      host: '2001:db8::53',
      port: 5353,
      name: 'x.test.',
      recordType: 'TXT',
      transport: 'tcp',
    });
    expect(checkItem(config, dns, null, 0).target).toBe('dns://[2001:db8::53]:5353/x.test. TXT (tcp)');
  });
});
