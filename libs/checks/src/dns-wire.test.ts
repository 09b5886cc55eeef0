import { describe, expect, it } from 'vitest';
import { rdataText } from './dns-rdata.js';
import { DnsWireError, encodeQuery, parseReply } from './dns-wire.js';
import { a, encodeName, reply, txt } from './test-support/dns-stub.js';
import type { RR, StubQuery } from './test-support/dns-stub.js';

function queryOf(name: string, qtype: number, id = 0x1234): StubQuery {
  const msg = encodeQuery(id, name, qtype);
  const qlen = encodeName(name).length + 4;
  return { id, name, qtype, transport: 'udp', question: msg.subarray(12, 12 + qlen) };
}

const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => Buffer.from([n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);

function values(msg: Buffer): string[] {
  return parseReply(msg).answers.map((rr) => rdataText(msg, rr));
}

describe('encodeQuery', () => {
  it('writes id, RD, one question and an EDNS(0) OPT of 1232 bytes', () => {
    const q = encodeQuery(0xbeef, 'www.example.test.', 28);
    expect(q.readUInt16BE(0)).toBe(0xbeef);
    expect(q.readUInt16BE(2)).toBe(0x0100);
    expect([q.readUInt16BE(4), q.readUInt16BE(6), q.readUInt16BE(8), q.readUInt16BE(10)]).toEqual([
      1, 0, 0, 1,
    ]);
    expect(q.subarray(12, 34)).toEqual(Buffer.concat([encodeName('www.example.test.'), u16(28), u16(1)]));
    expect(q.subarray(34)).toEqual(Buffer.from([0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0]));
  });

  it('refuses an over-long label instead of sending a broken packet', () => {
    expect(() => encodeQuery(1, `${'a'.repeat(64)}.test.`, 1)).toThrow(DnsWireError);
  });
});

describe('parseReply and rdataText', () => {
  it('reads header, question and answers, following compression pointers', () => {
    const q = queryOf('www.example.test.', 1);
    const msg = reply(q, { answers: [a('192.0.2.1'), a('192.0.2.2')], rcode: 0 });
    const r = parseReply(msg);
    expect(r).toMatchObject({ id: 0x1234, qr: true, aa: true, tc: false, rcode: 0, opcode: 0 });
    expect(r.question).toEqual({ name: 'www.example.test.', type: 1, klass: 1 });
    expect(r.answers.map((x) => x.name)).toEqual(['www.example.test.', 'www.example.test.']);
    expect(values(msg)).toEqual(['192.0.2.1', '192.0.2.2']);
  });

  it('formats every modelled type canonically, and others in RFC 3597 form', () => {
    const q = queryOf('x.test.', 255);
    const ptr = Buffer.from([0xc0, 12]);
    const answers: RR[] = [
      { type: 28, rdata: Buffer.from('20010db8000000000000000000000001', 'hex') },
      { type: 5, rdata: encodeName('Target.Example.') },
      { type: 2, rdata: ptr },
      { type: 15, rdata: Buffer.concat([u16(10), encodeName('mx.test.')]) },
      { type: 33, rdata: Buffer.concat([u16(1), u16(5), u16(443), encodeName('svc.test.')]) },
      txt('a "quoted" one'),
      { type: 257, rdata: Buffer.concat([Buffer.from([0, 5]), Buffer.from('issueca.example')]) },
      {
        type: 6,
        rdata: Buffer.concat([ptr, encodeName('h.test.'), u32(7), u32(3600), u32(600), u32(86400), u32(60)]),
      },
      { type: 99, rdata: Buffer.from([0xab, 0xcd]) },
    ];
    expect(values(reply(q, { answers }))).toEqual([
      '2001:db8::1',
      'target.example.',
      'x.test.',
      '10 mx.test.',
      '1 5 443 svc.test.',
      '"a \\"quoted\\" one"',
      '0 issue "ca.example"',
      'x.test. h.test. 7 3600 600 86400 60',
      '\\# 2 abcd',
    ]);
  });

  it('takes the extended rcode from OPT (BADVERS = 16)', () => {
    const q = queryOf('x.test.', 1);
    const msg = reply(q, {});
    msg.writeUInt16BE(1, 10); // ARCOUNT
    const opt = Buffer.from([0, 0, 41, 0x04, 0xd0, 1, 0, 0, 0, 0, 0]);
    expect(parseReply(Buffer.concat([msg, opt])).rcode).toBe(16);
  });

  it('throws DnsWireError on pointer loops, bad label types and rdata that does not fit its type', () => {
    const q = queryOf('x.test.', 1);
    const loop = reply(q, { answers: [{ name: undefined, type: 1, rdata: Buffer.from([1, 2, 3, 4]) }] });
    // Point the answer's owner at itself.
    const at = 12 + q.question.length;
    loop.writeUInt16BE(0xc000 | at, at);
    expect(() => parseReply(loop)).toThrow(/compression pointer loop/);
    const badLabel = reply(q);
    badLabel[12] = 0x80;
    expect(() => parseReply(badLabel)).toThrow(DnsWireError);
    const shortA = reply(q, { answers: [{ type: 1, rdata: Buffer.from([1, 2, 3]) }] });
    expect(() => values(shortA)).toThrow(/A record of 3 bytes/);
  });

  it('never throws anything but DnsWireError on truncated or mutated replies', () => {
    const q = queryOf('www.example.test.', 6);
    const ptr = Buffer.from([0xc0, 12]);
    const good = reply(q, {
      answers: [
        a('192.0.2.1'),
        txt('hello', 'world'),
        { type: 6, rdata: Buffer.concat([ptr, ptr, u32(1), u32(2), u32(3), u32(4), u32(5)]) },
        { type: 15, rdata: Buffer.concat([u16(1), ptr]) },
      ],
    });
    const attempt = (msg: Buffer) => {
      try {
        values(msg);
      } catch (err) {
        expect(err).toBeInstanceOf(DnsWireError);
      }
    };
    for (let len = 0; len < good.length; len++) attempt(good.subarray(0, len));
    // A fixed-seed generator: the same 3000 mutations on every run.
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 2 ** 32;
    };
    for (let i = 0; i < 3000; i++) {
      const msg = Buffer.from(good);
      for (let k = 0; k < 1 + Math.floor(next() * 4); k++)
        msg[Math.floor(next() * msg.length)] = Math.floor(next() * 256);
      attempt(msg);
    }
  });
});
