import { describe, expect, it } from 'vitest';
import { RCODE, TYPE } from './constants.js';
import { FastPath } from './fast-path.js';
import { answerQuery } from './slow-path.js';
import { buildSnapshot } from './snapshot.js';
import { buildQuery, decodeReply } from './test-support/query.js';
import type { QueryOptions, ReplyView } from './test-support/query.js';
import { complexZoneState, fixtureZoneState } from './test-support/zones.js';

const snap = buildSnapshot(fixtureZoneState());
const fast = new FastPath(1232);

function fastReply(q: Buffer, s = snap): Buffer | null {
  const n = fast.answer(q, s.table);
  return n > 0 ? Buffer.from(fast.out.subarray(0, n)) : null;
}

function slowReply(q: Buffer, s = snap): Buffer {
  const r = answerQuery(q, 'udp', s, { payloadSize: 1232 });
  if (!r) throw new Error('slow path dropped the query');
  return r.buf;
}

/** Names compare case-insensitively: the slow path may compress rdata names into the asker's question. */
function comparable(v: ReplyView): unknown {
  const { message: _m, ...rest } = v;
  return JSON.parse(JSON.stringify(rest).toLowerCase());
}

const NAMES = [
  'example.test',
  'www.example.test',
  'WwW.ExAmPlE.TeSt',
  'app.example.test',
  'a.b.c.example.test',
  'b.c.example.test',
  'c.example.test',
  'empty.example.test',
  'alias.example.test',
  'chain1.example.test',
  'out.example.test',
  'dangling.example.test',
  'loop1.example.test',
  'cross.example.test',
  'txt.example.test',
  'svc.example.test',
  'caa.example.test',
  'ns1.example.test',
  'sub.example.test',
  'host.sub.example.test',
  'other.test',
  'www.other.test',
  'nope.example.test',
  'deep.nope.EXAMPLE.test',
  'nope.sub.example.test',
  'www.example.com',
  'com',
  '',
];
const TYPES = [
  TYPE.A,
  TYPE.AAAA,
  TYPE.MX,
  TYPE.TXT,
  TYPE.CNAME,
  TYPE.SRV,
  TYPE.CAA,
  TYPE.NS,
  TYPE.SOA,
  TYPE.DS,
  1000,
];

describe('fast path', () => {
  it('answers every plain query exactly as the dns2 slow path does', () => {
    let handled = 0;
    for (const name of NAMES) {
      for (const type of TYPES) {
        for (const edns of [undefined, { do: true }, { payload: 4096 }] as QueryOptions['edns'][]) {
          const q = buildQuery({ name, type, id: 777, rd: true, ...(edns ? { edns } : {}) });
          const f = fastReply(q);
          if (!f) continue;
          handled++;
          expect(comparable(decodeReply(f)), `${name} ${type}`).toEqual(
            comparable(decodeReply(slowReply(q))),
          );
        }
      }
    }
    // Every query above is plain, so the fast path must have taken each one.
    expect(handled).toBe(NAMES.length * TYPES.length * 3);
  });

  it('copies the question verbatim, so owner names keep the asker letter case (0x20)', () => {
    const q = buildQuery({ name: 'ChAiN1.eXaMpLe.TeSt', type: TYPE.A });
    const reply = fastReply(q)!;
    expect(reply.subarray(12, q.length).equals(q.subarray(12))).toBe(true);
    const v = decodeReply(reply);
    expect(v.answer[0]).toMatch(/^chain1\.example\.test 300 5/);
    expect(v.message.answers[0]!.name).toBe('ChAiN1.eXaMpLe.TeSt');
  });

  it('sets QR and AA, copies ID, RD and CD, clears AD, RA and Z', () => {
    const v = decodeReply(
      fastReply(buildQuery({ name: 'www.example.test', id: 0xbeef, rd: true, cd: true, ad: true, z: true }))!,
    );
    expect(v).toMatchObject({
      id: 0xbeef,
      qr: true,
      aa: true,
      rd: true,
      cd: true,
      ad: false,
      ra: false,
      z: false,
      tc: false,
    });
    const plain = decodeReply(fastReply(buildQuery({ name: 'www.example.test' }))!);
    expect(plain).toMatchObject({ rd: false, cd: false });
  });

  it('echoes EDNS with our payload size and DO, ignoring unknown options and flags', () => {
    const q = buildQuery({
      name: 'www.example.test',
      edns: {
        payload: 4096,
        do: true,
        flags: 0x40,
        options: [
          { code: 100, data: Buffer.from('hi') },
          { code: 10, data: Buffer.alloc(8) },
        ],
      },
    });
    expect(decodeReply(fastReply(q)!).opt).toEqual({ payload: 1232, version: 0, do: true, options: 0 });
    expect(decodeReply(fastReply(buildQuery({ name: 'www.example.test' }))!).opt).toBeNull();
  });

  it('writes NXDOMAIN for unknown names with the SOA owner pointing into the question', () => {
    const v = decodeReply(fastReply(buildQuery({ name: 'x.y.NoPe.EXAMPLE.test', type: TYPE.A }))!);
    expect(v).toMatchObject({ rcode: RCODE.NXDOMAIN, aa: true, answer: [] });
    expect(v.message.authorities[0]!.name).toBe('EXAMPLE.test');
    expect(v.authority[0]).toMatch(/^example\.test 300 6 /);
    const refused = decodeReply(fastReply(buildQuery({ name: 'www.example.org' }))!);
    expect(refused).toMatchObject({ rcode: RCODE.REFUSED, aa: false, answer: [], authority: [] });
  });

  it('hands anything unusual to the slow path', () => {
    const base = buildQuery({ name: 'www.example.test' });
    const tweak = (f: (b: Buffer) => void): Buffer => {
      const b = Buffer.from(base);
      f(b);
      return b;
    };
    const declined = [
      buildQuery({ name: 'www.example.test', opcode: 4 }),
      buildQuery({ name: 'www.example.test', type: TYPE.ANY }),
      buildQuery({ name: 'www.example.test', type: TYPE.AXFR }),
      buildQuery({ name: 'www.example.test', type: TYPE.OPT }),
      buildQuery({ name: 'www.example.test', qclass: 3 }),
      buildQuery({ name: 'www.example.test', edns: { version: 1 } }),
      buildQuery({ name: 'big.example.test', type: TYPE.TXT }),
      buildQuery({ name: 'big.example.test', type: TYPE.TXT, edns: { payload: 512 } }),
      tweak((b) => (b[2]! |= 0x80)),
      tweak((b) => b.writeUInt16BE(2, 4)),
      tweak((b) => b.writeUInt16BE(1, 6)),
      tweak((b) => b.writeUInt16BE(2, 10)),
      Buffer.concat([base, Buffer.from([0])]),
      base.subarray(0, base.length - 1),
    ];
    for (const q of declined) expect(fastReply(q), q.toString('hex')).toBeNull();
    // The same big answer fits when the asker allows more.
    expect(
      fastReply(buildQuery({ name: 'big.example.test', type: TYPE.TXT, edns: { payload: 4096 } })),
    ).not.toBeNull();
  });

  it('leaves names outside the table to the slow path in zones with wildcards or delegations', () => {
    const complex = buildSnapshot(complexZoneState());
    expect(fastReply(buildQuery({ name: 'random.complex.test' }), complex)).toBeNull();
    const known = buildQuery({ name: 'real.complex.test' });
    expect(decodeReply(fastReply(known, complex)!).answer).toEqual(
      decodeReply(slowReply(known, complex)).answer,
    );
  });
});
