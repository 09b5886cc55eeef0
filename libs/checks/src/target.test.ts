import { describe, expect, it } from 'vitest';
import { hostOfHostHeader, httpTarget } from './target.js';
import { httpCheckConfig } from './test-support/fixtures.js';

describe('httpTarget', () => {
  it('derives Host, SNI and identity from host, hostHeader and sni', () => {
    expect(httpTarget(httpCheckConfig({ type: 'https', host: 'App.test.', port: 443 }))).toEqual({
      connectHost: 'App.test.',
      hostHeader: 'App.test',
      sni: 'App.test',
      identity: 'App.test',
    });
    expect(httpTarget(httpCheckConfig({ type: 'http', host: '[2001:db8::1]', port: 8080 }))).toEqual({
      connectHost: '2001:db8::1',
      hostHeader: '[2001:db8::1]:8080',
      sni: undefined,
      identity: '2001:db8::1',
    });
    const viaHeaders = httpTarget(httpCheckConfig({ type: 'https', headers: { HOST: 'vh.test:8443' } }));
    expect(viaHeaders).toMatchObject({ hostHeader: 'vh.test:8443', sni: 'vh.test' });
    const ipHeader = httpTarget(
      httpCheckConfig({ type: 'https', host: 'origin.test', hostHeader: '10.0.0.1' }),
    );
    expect(ipHeader).toMatchObject({ hostHeader: '10.0.0.1', sni: 'origin.test' });
  });

  it('extracts the host of a Host header value', () => {
    expect(hostOfHostHeader('a.test')).toBe('a.test');
    expect(hostOfHostHeader('a.test:8443')).toBe('a.test');
    expect(hostOfHostHeader('[::1]:8443')).toBe('::1');
    expect(hostOfHostHeader('::1')).toBe('::1');
  });
});
