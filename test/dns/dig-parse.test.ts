/** The testkit dig/kdig parsers on canned output (the live paths are covered by the other suites). */
import { parseDigOutput, parseKdigOutput } from '@understudy/testkit/dig';
import { describe, expect, it } from 'vitest';

const DIG_TRUNCATED_THEN_TCP = `;; Truncated, retrying in TCP mode.
; <<>> DiG 9.18 <<>> big.example.test TXT
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 1
;; flags: qr aa tc; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 1
;; Got answer:
;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: 2
;; flags: qr aa rd; QUERY: 1, ANSWER: 2, AUTHORITY: 0, ADDITIONAL: 1; MBZ: 0x4
;; WARNING: recursion requested but not available

;; OPT PSEUDOSECTION:
; EDNS: version: 0, flags: do; MBZ: 0x0040, udp: 4096
; COOKIE: 0102030405060708 (good)
; OPT=100: 6869 ("hi")
;; QUESTION SECTION:
;big.example.test.		IN	TXT

;; ANSWER SECTION:
big.example.test.	300	IN	TXT	"a  b" "c"
big.example.test.	300	IN	TXT	"d"

;; AUTHORITY SECTION:
example.test.		60	IN	SOA	ns1.example.test. h.example.test. 1 3600 600 86400 60

;; Query time: 0 msec
`;

const KDIG = `;; ->>HEADER<<- opcode: QUERY; status: NOERROR; id: 44442
;; Flags: qr aa rd; QUERY: 1; ANSWER: 1; AUTHORITY: 0; ADDITIONAL: 1

;; EDNS PSEUDOSECTION:
;; Version: 0; flags: do; UDP size: 1232 B; ext-rcode: BADVERS
;; NSID: 6e73 "ns"

;; QUESTION SECTION:
;; www.example.test.     		IN	A

;; ANSWER SECTION:
www.example.test.     	300	IN	A	192.0.2.10

;; Received 75 B
`;

describe('dig output parser', () => {
  it('parses the last reply, keeps record data verbatim and lists EDNS options', () => {
    const r = parseDigOutput(DIG_TRUNCATED_THEN_TCP)!;
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toEqual(['qr', 'aa', 'rd']);
    expect(r.answer.map((a) => a.data)).toEqual(['"a  b" "c"', '"d"']);
    expect(r.authority).toEqual([
      {
        name: 'example.test.',
        ttl: 60,
        class: 'IN',
        type: 'SOA',
        data: 'ns1.example.test. h.example.test. 1 3600 600 86400 60',
      },
    ]);
    expect(r.opt).toEqual({
      version: 0,
      udp: 4096,
      flags: ['do', 'MBZ: 0x0040'],
      options: ['COOKIE', 'OPT=100'],
    });
  });

  it('returns null when there is no reply', () => {
    expect(parseDigOutput(';; communications error to 127.0.0.1#1: timed out\n')).toBeNull();
    expect(parseKdigOutput(';; ERROR: failed to query server\n')).toBeNull();
  });
});

describe('kdig output parser', () => {
  it('parses header, EDNS (taking the extended rcode) and sections', () => {
    const r = parseKdigOutput(KDIG)!;
    expect(r.status).toBe('BADVERS');
    expect(r.flags).toEqual(['qr', 'aa', 'rd']);
    expect(r.opt).toEqual({ version: 0, udp: 1232, flags: ['do'], options: ['NSID'] });
    expect(r.answer).toEqual([
      { name: 'www.example.test.', ttl: 300, class: 'IN', type: 'A', data: '192.0.2.10' },
    ]);
  });
});
