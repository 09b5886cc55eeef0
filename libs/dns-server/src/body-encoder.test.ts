import { parseRdata } from '@understudy/core';
import type { RecordType } from '@understudy/core';
import { describe, expect, it } from 'vitest';
import { encodeBody } from './body-encoder.js';
import { CLASS_IN, PROBE_ABSENT_TYPE, TYPE, TYPE_CODE } from './constants.js';
import { Packet } from './dns2.js';
import type { Resource } from './dns2.js';
import { buildModel } from './model.js';
import { dns2Name, toResource } from './records.js';
import { resolve } from './resolve.js';
import { seededRandom } from './test-support/random.js';
import { complexZoneState, fixtureZoneState } from './test-support/zones.js';
import { nameToWire } from './wire.js';

type Sections = [Resource[], Resource[], Resource[]];

/** What fast-table.ts did before: encode the whole response with dns2 and cut after the question. */
function dns2Body(qname: string, [an, ns, ar]: Sections): Buffer {
  const p = new Packet();
  p.header = new Packet.Header({ qr: 1 });
  p.questions = [new Packet.Question(dns2Name(qname), TYPE.A, CLASS_IN)];
  p.answers = an;
  p.authorities = ns;
  p.additionals = ar;
  return Buffer.from(p.toBuffer().subarray(12 + nameToWire(qname).length + 4));
}

/** A whole response around a body (header with the section counts, then the question), parsed by dns2. */
function decode(qname: string, body: Buffer, [an, ns, ar]: Sections): Packet {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x8400, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(an.length, 6);
  header.writeUInt16BE(ns.length, 8);
  header.writeUInt16BE(ar.length, 10);
  const question = Buffer.concat([nameToWire(qname), Buffer.from([0, 1, 0, 1])]);
  const parsed = Packet.parse(Buffer.concat([header, question, body]));
  expect(parsed.errors).toEqual([]);
  return parsed;
}

const records = (p: Packet): unknown => JSON.parse(JSON.stringify([p.answers, p.authorities, p.additionals]));

/** Ours decodes to what dns2's own encoding decodes to; returns our body. */
function expectSameRecords(qname: string, sections: Sections): Buffer {
  const ours = encodeBody(qname, TYPE.A, ...sections).body;
  expect(records(decode(qname, ours, sections))).toEqual(
    records(decode(qname, dns2Body(qname, sections), sections)),
  );
  return ours;
}

const rr = (owner: string, type: RecordType, value: string, ttl = 300): Resource => {
  const r = parseRdata(type, value);
  if (!r.ok) throw new Error(r.error);
  return toResource(owner, ttl, r.rdata);
};

const Q = 'www.example.test.';
const SAMPLES: [RecordType, string][] = [
  ['A', '192.0.2.1'],
  ['AAAA', '2001:db8::1'],
  ['AAAA', '::'],
  ['AAAA', '1:2:3:4:5:6:7:8'],
  ['AAAA', '::ffff:c000:201'],
  ['CNAME', 'target.example.test.'],
  ['NS', 'ns1.elsewhere.example.'],
  ['MX', '10 mail.example.test.'],
  ['TXT', '"v=spf1 -all"'],
  ['TXT', '"one" "two" "" "three"'],
  ['TXT', `"${'a'.repeat(255)}" "${'b'.repeat(255)}" "${'c'.repeat(100)}"`],
  ['TXT', '"caf\\195\\169 \\"quoted\\""'],
  ['SRV', '10 5 443 svc.example.test.'],
  ['CAA', '0 issue "ca.example"'],
  ['CAA', '128 iodef "mailto:security@example.test"'],
  ['SOA', 'ns1.example.test. hostmaster.example.test. 4294967295 3600 600 86400 4294967295'],
];

describe('encodeBody', () => {
  it.each(SAMPLES)('%s %s: byte for byte what dns2 writes (SRV: same records)', (type, value) => {
    const sections: Sections = [[rr(Q, type, value), rr(Q, type, value, 60)], [], []];
    const ours = expectSameRecords(Q, sections);
    if (type !== 'SRV') expect(ours.toString('hex')).toBe(dns2Body(Q, sections).toString('hex'));
  });

  it('points owners equal to the question name at offset 12', () => {
    const { body } = encodeBody(Q, TYPE.A, [rr(Q, 'A', '192.0.2.1'), rr(Q, 'A', '192.0.2.2')], [], []);
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xc0, 12]));
    expect(body.subarray(16, 18)).toEqual(Buffer.from([0xc0, 12]));
    expect(body.length).toBe(2 * 16);
  });

  it('points an owner that is a suffix of the question name into the question', () => {
    const soa = rr('example.test.', 'SOA', 'ns1.example.test. h.example.test. 7 1 2 3 4');
    const body = expectSameRecords(Q, [[], [soa], []]);
    // "example.test" starts after "\x03www" in the question: offset 12 + 4.
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xc0, 16]));
    // mname "ns1" + pointer to example.test, rname "h" + pointer.
    expect(body.subarray(12, 18)).toEqual(Buffer.from([3, 0x6e, 0x73, 0x31, 0xc0, 16]));
  });

  it('writes unrelated names in full once, then points later names at them', () => {
    const sections: Sections = [
      [rr(Q, 'CNAME', 'a.other.example.'), rr('a.other.example.', 'CNAME', 'b.other.example.')],
      [],
      [rr('b.other.example.', 'A', '192.0.2.9')],
    ];
    const body = expectSameRecords(Q, sections);
    expect(body.toString('hex')).toBe(dns2Body(Q, sections).toString('hex'));
    const base = 12 + nameToWire(Q).length + 4;
    // The first CNAME's rdata starts after owner pointer (2) + fixed fields (10): "a.other.example" in full.
    expect(body[12]).toBe(1);
    // The second owner is a pointer to it; its rdata "b" then points at "other.example".
    expect(body.subarray(12 + 17, 12 + 19)).toEqual(Buffer.from([0xc0, base + 12]));
  });

  it('compresses no SRV target and offers none as a pointer target (RFC 3597 §4)', () => {
    const sections: Sections = [
      [rr(Q, 'SRV', '0 0 80 www.example.test.'), rr(Q, 'SRV', '0 0 80 x.srv.example.')],
      [],
      [rr('x.srv.example.', 'A', '192.0.2.1')],
    ];
    const body = expectSameRecords(Q, sections);
    const first = body.subarray(2 + 10 + 6, 2 + 10 + 6 + nameToWire(Q).length);
    expect(first).toEqual(nameToWire(Q));
    // The additional record's owner repeats "x.srv.example" in full instead of pointing into the SRV.
    const tail = nameToWire('x.srv.example.');
    expect(body.indexOf(tail)).toBeLessThan(body.lastIndexOf(tail));
  });

  it('compresses rdata names of MX and NS (RFC 1035 types)', () => {
    const sections: Sections = [[rr(Q, 'MX', `10 ${Q}`)], [rr(Q, 'NS', `ns.${Q}`)], []];
    const body = expectSameRecords(Q, sections);
    expect(body.subarray(12, 16)).toEqual(Buffer.from([0, 10, 0xc0, 12]));
    expect(body.length).toBe(16 + 12 + 5);
  });

  it('reports where the SOA serial sits, so it can be patched without re-encoding', () => {
    const soa = rr('example.test.', 'SOA', 'ns1.example.test. h.example.test. 41 3600 600 86400 60');
    const sections: Sections = [[rr(Q, 'CNAME', 'x.example.test.')], [soa], []];
    const { body, serialAt } = encodeBody(Q, TYPE.A, ...sections);
    expect(body.readUInt32BE(serialAt)).toBe(41);
    body.writeUInt32BE(42, serialAt);
    expect(decode(Q, body, sections).authorities[0]!.serial).toBe(42);
    expect(encodeBody(Q, TYPE.A, [rr(Q, 'A', '192.0.2.1')], [], []).serialAt).toBe(-1);
  });

  it('handles the longest names, the root and the question in any letter case', () => {
    const label = 'x'.repeat(63);
    const long = `${label}.${label}.${label}.${'y'.repeat(61)}.`;
    expect(nameToWire(long).length).toBe(255);
    const body = expectSameRecords(long, [[rr(long, 'CNAME', `a.${'y'.repeat(61)}.`)], [], []]);
    expect(body.subarray(0, 2)).toEqual(Buffer.from([0xc0, 12]));
    expectSameRecords('.', [[], [rr('.', 'SOA', '. . 1 2 3 4 5')], []]);
    const mixed = encodeBody('WwW.Example.TEST.', TYPE.A, [rr(Q, 'A', '192.0.2.1')], [], []);
    expect(mixed.body.subarray(0, 2)).toEqual(Buffer.from([0xc0, 12]));
  });

  it('stops offering pointer targets past offset 0x4000, as dns2 does', () => {
    // Each step adds ~280 octets: a TXT, then a CNAME whose owner is new and whose target is the last owner,
    // so names are registered (or not) at every offset from the start to past 0x4000.
    const answer = Array.from({ length: 70 }, (_, k) => [
      rr(Q, 'TXT', `"${'t'.repeat(250)}"`),
      rr(`h${k}.far.example.`, 'CNAME', `h${k - 1}.far.example.`),
    ]).flat();
    const sections: Sections = [answer, [], []];
    const body = expectSameRecords(Q, sections);
    expect(body.length).toBeGreaterThan(0x4000 + 2000);
    expect(body.toString('hex')).toBe(dns2Body(Q, sections).toString('hex'));
  });

  it('writes an AAAA with an embedded IPv4 tail (RFC 4291 §2.2), which dns2 cannot', () => {
    const sections: Sections = [[rr(Q, 'AAAA', '::ffff:c000:201')], [], []];
    const { body } = encodeBody(Q, TYPE.AAAA, [{ ...sections[0][0]!, address: '::ffff:192.0.2.1' }], [], []);
    expect(body.equals(dns2Body(Q, sections))).toBe(true);
  });

  it('names the record and the field of what it cannot encode', () => {
    const bad = (r: Partial<Resource>): Resource =>
      new Packet.Resource({ name: 'a', class: 1, ttl: 1, ...r });
    const cases: [Resource, RegExp][] = [
      [bad({ type: TYPE.A, address: '1.2.3' }), /answer\[0\] A address: "1.2.3" is not an IPv4 address/],
      [bad({ type: TYPE.A, address: '01.2.3.4' }), /not an IPv4 address/],
      [bad({ type: TYPE.AAAA, address: '1::2::3' }), /answer\[0\] AAAA address: .* not an IPv6 address/],
      [bad({ type: TYPE.AAAA, address: '1:2:3' }), /not an IPv6 address/],
      [bad({ type: TYPE.TXT, data: ['z'.repeat(256)] }), /answer\[0\] TXT: a character-string is 256 octets/],
      [bad({ type: TYPE.CNAME, domain: `${'l'.repeat(64)}.test` }), /target .* label longer than 63/],
      [bad({ type: 70000 }), /answer\[0\] type must be a 16-bit integer/],
      [bad({ type: TYPE.OPT }), /OPT is added per reply/],
    ];
    for (const [r, message] of cases) {
      expect(() => encodeBody(Q, TYPE.A, [r], [], [])).toThrow(message);
      expect(() => encodeBody(Q, TYPE.A, [r], [], [])).toThrow(
        /encoding the answer for www\.example\.test\. type 1/,
      );
    }
    const huge = Array.from({ length: 300 }, () => rr(Q, 'TXT', `"${'q'.repeat(255)}"`));
    expect(() => encodeBody(Q, TYPE.A, huge, [], [])).toThrow(/is too large for one 65535-octet message/);
  });

  it('carries rdata of a type it has no codec for verbatim (RFC 3597), like dns2', () => {
    const ds = new Packet.Resource({ name: 'sub.example.test', type: TYPE.DS, class: 1, ttl: 60 });
    ds.data = Buffer.from('3039080204aabbccdd', 'hex');
    const sections: Sections = [[ds], [], []];
    const body = expectSameRecords(Q, sections);
    expect(body.toString('hex')).toBe(dns2Body(Q, sections).toString('hex'));
  });

  it('matches dns2 on every (name, type) body of the fixture zones', () => {
    for (const zs of [fixtureZoneState(), complexZoneState()]) {
      const model = buildModel(zs);
      for (const zone of model.zones.values()) {
        for (const name of zone.nodes.keys()) {
          for (const t of [...Object.values(TYPE_CODE), TYPE.DS, TYPE.ANY, PROBE_ABSENT_TYPE]) {
            const r = resolve(model, name, t);
            const sections: Sections = [r.answer, r.authority, r.additional];
            const body = expectSameRecords(name, sections);
            const hasSrv = sections.flat().some((x) => x.type === TYPE.SRV);
            if (!hasSrv) expect(body.equals(dns2Body(name, sections))).toBe(true);
          }
        }
      }
    }
  });

  it('matches dns2 on 2,000 seeded random bodies', () => {
    const random = seededRandom(11);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    // Lower case, as the zone model's names are (names compare case-insensitively).
    const labels = ['www', 'a', 'mail', 'x-1', 'example', 'test', 'sub', 'z'.repeat(40)];
    const name = (): string =>
      random() < 0.05
        ? '.'
        : `${Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(labels)).join('.')}.`;
    const text = (): string =>
      Array.from({ length: Math.floor(random() * 300) }, () =>
        String.fromCharCode(32 + Math.floor(random() * 95)),
      )
        .join('')
        .replace(/[\\"]/g, '');
    const value = (type: RecordType): string => {
      const n = (): number => Math.floor(random() * 65536);
      switch (type) {
        case 'A':
          return [0, 0, 0, 0].map(() => Math.floor(random() * 256)).join('.');
        case 'AAAA':
          return Array.from({ length: 8 }, () => (random() < 0.4 ? 0 : n()).toString(16)).join(':');
        case 'CNAME':
        case 'NS':
          return name();
        case 'MX':
          return `${n()} ${name()}`;
        case 'SRV':
          return `${n()} ${n()} ${n()} ${name()}`;
        case 'TXT':
          return Array.from({ length: 1 + Math.floor(random() * 3) }, () => `"${text().slice(0, 255)}"`).join(
            ' ',
          );
        case 'CAA':
          return `${Math.floor(random() * 256)} ${pick(['issue', 'issuewild', 'iodef'])} "${text()}"`;
        case 'SOA':
          return `${name()} ${name()} ${n() * 65536 + n()} ${n()} ${n()} ${n()} ${n()}`;
      }
    };
    const types = Object.keys(TYPE_CODE) as RecordType[];
    for (let i = 0; i < 2000; i++) {
      const qname = name();
      const owners = [qname, name(), name()];
      const section = (): Resource[] =>
        Array.from({ length: Math.floor(random() * 4) }, () => {
          const type = pick(types);
          return rr(pick(owners), type, value(type), Math.floor(random() * 0x7fffffff));
        });
      const sections: Sections = [section(), section(), section()];
      const body = expectSameRecords(qname, sections);
      if (!sections.flat().some((x) => x.type === TYPE.SRV))
        expect(body.equals(dns2Body(qname, sections))).toBe(true);
    }
  });
});
