import { describe, expect, it } from 'vitest';
import { clientAddress, hostAllowed, hostName, normalizeIp } from './http-guard.js';

describe('hostAllowed', () => {
  it.each([
    ['127.0.0.1:8080', true],
    ['[::1]:8080', true],
    ['192.0.2.7', true],
    ['localhost:8080', true],
    ['app.localhost', true],
    ['LOCALHOST.', true],
    ['dash.example.test', true],
    ['a.b.internal.test:443', true],
    ['internal.test', false],
    ['rebind.attacker.test', false],
    ['localhost.attacker.test', false],
    ['', false],
  ])('%s → %s', (host, ok) => {
    expect(hostAllowed(host, '127.0.0.1', ['dash.example.test', '*.internal.test'])).toBe(ok);
  });

  it('accepts the listen address, any name with "*", and a request without Host (HTTP/1.0)', () => {
    expect(hostAllowed('evil.test', '127.0.0.1', ['*'])).toBe(true);
    expect(hostAllowed(undefined, '127.0.0.1', [])).toBe(true);
    expect(hostName('[2001:db8::1]:80')).toBe('2001:db8::1');
  });
});

describe('clientAddress', () => {
  it('ignores X-Forwarded-For unless the peer is a trusted proxy', () => {
    expect(clientAddress('::ffff:10.0.0.9', { 'x-forwarded-for': '1.2.3.4' }, [])).toBe('10.0.0.9');
    expect(clientAddress('10.0.0.9', { 'x-forwarded-for': '1.2.3.4' }, ['10.0.0.5'])).toBe('10.0.0.9');
  });

  it('takes the last untrusted hop from a trusted proxy (entries left of it are the client’s to forge)', () => {
    const proxies = ['10.0.0.5', '10.0.0.6'];
    expect(clientAddress('10.0.0.5', { 'x-forwarded-for': 'forged, 198.51.100.7, 10.0.0.6' }, proxies)).toBe(
      '198.51.100.7',
    );
    expect(clientAddress('10.0.0.5', {}, proxies)).toBe('10.0.0.5');
    expect(normalizeIp('2001:DB8:0::1')).toBe('2001:db8::1');
  });
});
