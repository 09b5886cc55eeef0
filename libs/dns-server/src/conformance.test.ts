/** Issue 15 §2 at the code level: both paths, against the fixture zones (test/dns/conformance.test.ts runs dig, kdig and NSD). */
import { describe, expect, it } from 'vitest';
import type { RRset } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { RCODE, TYPE } from './constants.js';
import { FastPath } from './fast-path.js';
import { buildModel } from './model.js';
import { resolve } from './resolve.js';
import { Responder } from './responder.js';
import { answerQuery } from './slow-path.js';
import { buildSnapshot } from './snapshot.js';
import { buildQuery, decodeReply } from './test-support/query.js';
import { complexZoneState, fixtureZoneState } from './test-support/zones.js';

const snap = buildSnapshot(fixtureZoneState());
const complex = buildSnapshot(complexZoneState());
const identity = { id: 'dns-a.example.net', nsid: 'dns-a', version: 'v1' };

function responder(s = snap, withIdentity = false): Responder {
  const r = new Responder(1232, recordingLogger(), undefined, withIdentity ? identity : undefined);
  r.snapshot = s;
  return r;
}

function udp(r: Responder, msg: Buffer): Buffer {
  const n = r.answerUdp(msg);
  if (n === 0) throw new Error('dropped');
  return n > 0 ? Buffer.from(r.fast.out.subarray(0, n)) : r.slowBuf;
}

/** A query whose first label holds a literal dot: labels ["a.b", "c", "example", "test"]. */
function dottedQuery(labels: string[], edns: boolean): Buffer {
  const plain = buildQuery({ name: 'x', ...(edns ? { edns: {} } : {}) });
  const name = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
  // Replace the one-label name "x" (3 octets at 12) with the crafted one.
  return Buffer.concat([plain.subarray(0, 12), name, plain.subarray(15)]);
}

describe('a label holding a literal dot', () => {
  for (const edns of [false, true]) {
    it(`is its own label on both paths and over TCP${edns ? ', with EDNS' : ''}: NXDOMAIN, question echoed octet for octet`, () => {
      const q = dottedQuery(['a.b', 'c', 'example', 'test'], edns);
      const qEnd = 12 + 'a.b.c.example.test'.length + 2 + 4;
      const r = responder();
      for (const reply of [
        udp(r, q),
        r.answerTcp(q)!,
        answerQuery(q, 'udp', snap, { payloadSize: 1232 })!.buf,
      ]) {
        expect(reply[3]! & 0x0f).toBe(RCODE.NXDOMAIN);
        expect(reply.subarray(12, qEnd)).toEqual(q.subarray(12, qEnd));
        expect(decodeReply(reply).authority).toHaveLength(1);
      }
    });
  }

  it('matches a wildcard as one label, and the synthesized owner points at the question', () => {
    const q = dottedQuery(['x.y', 'complex', 'test'], false);
    const reply = answerQuery(q, 'udp', complex, { payloadSize: 1232 })!.buf;
    const qEnd = 12 + 'x.y.complex.test'.length + 2 + 4;
    expect(reply[3]! & 0x0f).toBe(RCODE.NOERROR);
    expect(reply.readUInt16BE(6)).toBe(1);
    expect(reply.subarray(12, qEnd)).toEqual(q.subarray(12, qEnd));
    expect([...reply.subarray(qEnd, qEnd + 4)]).toEqual([0xc0, 12, 0, TYPE.A]);
  });
});

describe('class ANY (RFC 1035 §3.2.5), as NSD answers it', () => {
  const ask = (name: string, type = TYPE.A) =>
    decodeReply(
      answerQuery(buildQuery({ name, type, qclass: 255 }), 'udp', snap, { payloadSize: 1232 })!.buf,
    );

  it('answers from the IN data without AA, and negative answers without the SOA', () => {
    const www = ask('www.example.test');
    expect([www.rcode, www.aa, www.answer.length, www.authority]).toEqual([RCODE.NOERROR, false, 1, []]);
    expect(www.questions[0]!.class).toBe(255);
    const nx = ask('nope.example.test');
    expect([nx.rcode, nx.aa, nx.authority]).toEqual([RCODE.NXDOMAIN, false, []]);
    expect(ask('www.example.com').rcode).toBe(RCODE.REFUSED);
  });

  it('is left to the slow path', () => {
    expect(new FastPath(1232).answer(buildQuery({ name: 'www.example.test', qclass: 255 }), snap.table)).toBe(
      0,
    );
  });
});

describe('NSID and CH TXT (dns.identity)', () => {
  const nsidQuery = buildQuery({
    name: 'www.example.test',
    edns: { options: [{ code: 3, data: Buffer.alloc(0) }] },
  });

  it('an NSID request falls through the fast path and gets the NSID option', () => {
    expect(new FastPath(1232).answer(nsidQuery, snap.table)).toBe(0);
    const reply = udp(responder(snap, true), nsidQuery);
    expect(decodeReply(reply).answer).toHaveLength(1);
    // The OPT ends the reply: ... rdlen 9, option 3, length 5, "dns-a".
    expect(reply.subarray(-11)).toEqual(Buffer.from([0, 9, 0, 3, 0, 5, ...Buffer.from('dns-a')]));
    // Off by default: a plain OPT.
    expect(udp(responder(), nsidQuery).subarray(-2)).toEqual(Buffer.from([0, 0]));
  });

  it('answers CH TXT id.server and version.bind when set, REFUSED otherwise', () => {
    const ch = (r: Responder, name: string, type: number = TYPE.TXT) =>
      decodeReply(udp(r, buildQuery({ name, type, qclass: 3 })));
    const named = responder(snap, true);
    const id = ch(named, 'hostname.bind');
    expect([id.rcode, id.aa, id.answer]).toEqual([
      RCODE.NOERROR,
      false,
      ['hostname.bind 0 16 data=["dns-a.example.net"]'],
    ]);
    expect(id.message.answers[0]!.class).toBe(3);
    expect(ch(named, 'VERSION.server').answer[0]).toContain('"v1"');
    expect(ch(named, 'id.server', TYPE.A).rcode).toBe(RCODE.REFUSED);
    expect(ch(responder(), 'id.server').rcode).toBe(RCODE.REFUSED);
  });
});

describe('not a plain query', () => {
  it('NOTIFY gets REFUSED, header only (NSD); other unknown opcodes still NOTIMP', () => {
    const r = responder();
    const notify = udp(r, buildQuery({ name: 'example.test', type: TYPE.SOA, opcode: 4 }));
    expect([notify[3]! & 0x0f, notify.length, (notify[2]! >> 3) & 0x0f]).toEqual([RCODE.REFUSED, 12, 4]);
    expect(udp(r, buildQuery({ name: 'example.test', opcode: 5 }))[3]! & 0x0f).toBe(RCODE.NOTIMP);
  });
});

describe('CNAME chains', () => {
  it('follows 40 links to the address (NSD 4.6 followed 60)', () => {
    const apex = 'chain.test.';
    const rrsets: RRset[] = [
      { name: apex, type: 'SOA', ttl: 60, values: [`ns.${apex} h.${apex} 1 60 60 60 60`] },
      ...Array.from({ length: 40 }, (_, i): RRset => ({
        name: `c${i}.${apex}`,
        type: 'CNAME',
        ttl: 60,
        values: [`c${i + 1}.${apex}`],
      })),
      { name: `c40.${apex}`, type: 'A', ttl: 60, values: ['192.0.2.40'] },
    ];
    const model = buildModel({ serial: 1, epoch: 1, generatedAt: 0, zones: [{ apex, rrsets }] });
    const res = resolve(model, `c0.${apex}`, TYPE.A);
    expect(res.answer).toHaveLength(41);
    expect(res.answer.at(-1)).toMatchObject({ type: TYPE.A, address: '192.0.2.40' });
  });
});
