import { describe, expect, it } from 'vitest';
import { buildDnsTransfer } from './build-dns-transfer.js';
import { Problems } from './problems.js';

describe('dns.transfer', () => {
  it('names every problem by its path: a short secret, an unknown key, a bad network, a bad address', () => {
    const problems = new Problems();
    buildDnsTransfer(
      {
        keys: [{ name: 'k', secret: 'c2hvcnQ=' }],
        allow: [{ network: '10.0.0.0/33' }, { network: 'not-an-address' }, { network: '::1', key: 'nope' }],
        notify: [{ address: '127.0.0.1:0' }],
      },
      problems,
    );
    expect(problems.errors.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'dns.transfer.keys.0.secret: must be base64 of at least 16 octets (e.g. `openssl rand -base64 32`)',
      'dns.transfer.allow.0.network: "10.0.0.0/33": prefix length must be 0..32',
      'dns.transfer.allow.1.network: "not-an-address" is not an address or a CIDR network',
      'dns.transfer.allow.2.key: no key named nope in dns.transfer.keys',
      'dns.transfer.notify.0.address: port 0 is not a secondary',
    ]);
  });

  it('refuses nothing and allows nobody by default', () => {
    const problems = new Problems();
    expect(buildDnsTransfer(undefined, problems)).toMatchObject({ allow: [], keys: [], notify: [] });
    expect(problems.errors).toEqual([]);
  });
});
