import { describe, expect, it } from 'vitest';
import type { RecordType } from './config-types.js';
import { canonicalRdata, parseRdata, quote, splitFields, txtFromPlain, unquote } from './rdata.js';

describe('rdata canonical forms', () => {
  it.each([
    ['A', '192.0.2.1', '192.0.2.1'],
    ['AAAA', '2001:DB8::0:1', '2001:db8::1'],
    ['CNAME', 'Target.Example.TEST', 'target.example.test.'],
    ['NS', 'ns1.example.test.', 'ns1.example.test.'],
    ['MX', '10   Mail.example.test', '10 mail.example.test.'],
    ['SRV', '10 5 5060 sip.example.test', '10 5 5060 sip.example.test.'],
    ['TXT', '"v=spf1 -all"', '"v=spf1 -all"'],
    ['TXT', '"a" "b\\"c"', '"a" "b\\"c"'],
    ['TXT', '"\\065BC"', '"ABC"'],
    ['CAA', '0 ISSUE "letsencrypt.org"', '0 issue "letsencrypt.org"'],
    ['CAA', '128 iodef mailto:x@example.test', '128 iodef "mailto:x@example.test"'],
    [
      'SOA',
      'ns1.example.test hostmaster.example.test 1 3600 600 1209600 60',
      'ns1.example.test. hostmaster.example.test. 1 3600 600 1209600 60',
    ],
  ] as [RecordType, string, string][])('%s %s → %s', (type, input, out) => {
    expect(canonicalRdata(type, input)).toEqual({ ok: true, value: out });
  });

  it.each([
    ['A', '300.1.1.1', 'not an IPv4'],
    ['A', '1.2.3.4 5.6.7.8', 'needs 1 field'],
    ['AAAA', '1.2.3.4', 'not an IPv6'],
    ['AAAA', '::1 ::2', 'needs 1 field'],
    ['CNAME', 'bad..name', 'target'],
    ['CNAME', 'a b', 'needs 1 field'],
    ['MX', 'ten mail.example.test', 'MX preference must be an integer'],
    ['MX', '70000 mail.example.test', 'at most 65535'],
    ['MX', '10 bad!.test', 'MX exchange'],
    ['MX', '10', 'needs 2 fields'],
    ['SRV', '1 2 x t.test', 'SRV port'],
    ['SRV', '1 2 3 bad!', 'SRV target'],
    ['SRV', '1 2 3', 'needs 4 fields'],
    ['TXT', 'unquoted', 'must be quoted'],
    ['TXT', `"${'x'.repeat(256)}"`, 'longer than 255'],
    ['TXT', '"open', 'unclosed quote'],
    ['TXT', '"\\999"', 'must be quoted'],
    ['TXT', '"trailing\\', 'unclosed quote'],
    ['CAA', 'x issue "a"', 'CAA flags'],
    ['CAA', '0 is-sue "a"', 'CAA tag'],
    ['CAA', '0 issue', 'needs 3 fields'],
    ['SOA', 'a b 1 2 3', 'needs 7 fields'],
    ['SOA', 'bad! b 1 2 3 4 5', 'SOA mname'],
    ['SOA', 'a. bad! 1 2 3 4 5', 'SOA rname'],
    ['SOA', 'a. b. 1 2 3 4 x', 'SOA minimum'],
    ['A', '   ', 'empty'],
  ] as [RecordType, string, string][])('%s %j is rejected (%s)', (type, input, why) => {
    const r = parseRdata(type, input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(why);
  });

  it('splits and quotes TXT content', () => {
    expect(splitFields('a  "b c" d')).toEqual(['a', '"b c"', 'd']);
    expect(unquote('"a\\\\b"')).toBe('a\\b');
    expect(unquote('nope')).toBeNull();
    expect(quote('a"b')).toBe('"a\\"b"');
    const long = txtFromPlain('x'.repeat(300));
    expect(long).toBe(`"${'x'.repeat(255)}" "${'x'.repeat(45)}"`);
    expect(txtFromPlain('')).toBe('""');
    // Multi-byte characters are never split across character-strings.
    const parsed = parseRdata('TXT', txtFromPlain('é'.repeat(200)));
    expect(parsed.ok && parsed.rdata.type === 'TXT' && parsed.rdata.strings.join('')).toBe('é'.repeat(200));
  });
});
