import { describe, expect, it } from 'vitest';
import { RCODE } from './constants.js';
import { Packet } from './dns2.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { recordingLogger } from '@understudy/testkit/logger';
import { seededRandom } from './test-support/random.js';
import { buildQuery, decodeReply } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';

const logger = recordingLogger();
const responder = new Responder(1232, logger, undefined);
responder.snapshot = buildSnapshot(fixtureZoneState());

/** The reply to a datagram, or null when it is dropped. */
function reply(msg: Buffer): Buffer | null {
  const n = responder.answerUdp(msg);
  if (n === 0) return null;
  return n > 0 ? Buffer.from(responder.fast.out.subarray(0, n)) : responder.slowBuf;
}

function rcodeOf(msg: Buffer): number {
  const r = reply(msg);
  if (!r) throw new Error('dropped');
  expect(r.readUInt16BE(0)).toBe(msg.readUInt16BE(0));
  expect(r[2]! & 0x80).toBe(0x80);
  return r[3]! & 0x0f;
}

const header = (qd: number, ar = 0): Buffer => {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(0xabcd, 0);
  h.writeUInt16BE(qd, 4);
  h.writeUInt16BE(ar, 10);
  return h;
};
const tail = Buffer.from([0, 1, 0, 1]);

describe('malformed input', () => {
  it('drops what has no readable header, and responses', () => {
    for (const len of [0, 1, 5, 11]) expect(reply(Buffer.alloc(len, 0x11))).toBeNull();
    const response = buildQuery({ name: 'www.example.test' });
    response[2]! |= 0x80;
    expect(reply(response)).toBeNull();
  });

  it('answers FORMERR to a truncated question, an over-long label and bad compression pointers', () => {
    const full = buildQuery({ name: 'www.example.test' });
    expect(rcodeOf(header(1))).toBe(RCODE.FORMERR);
    expect(rcodeOf(full.subarray(0, 20))).toBe(RCODE.FORMERR);
    expect(rcodeOf(full.subarray(0, full.length - 2))).toBe(RCODE.FORMERR);
    const long = Buffer.concat([
      header(1),
      Buffer.from([64]),
      Buffer.alloc(64, 0x61),
      Buffer.from([0]),
      tail,
    ]);
    expect(rcodeOf(long)).toBe(RCODE.FORMERR);
    const loop = Buffer.concat([header(1), Buffer.from([0xc0, 12]), tail]);
    expect(rcodeOf(loop)).toBe(RCODE.FORMERR);
    const twoStep = Buffer.concat([header(1), Buffer.from([1, 0x61, 0xc0, 12]), tail]);
    expect(rcodeOf(twoStep)).toBe(RCODE.FORMERR);
    const outOfRange = Buffer.concat([header(1), Buffer.from([0xc3, 0xff]), tail]);
    expect(rcodeOf(outOfRange)).toBe(RCODE.FORMERR);
    const forward = Buffer.concat([header(1), Buffer.from([0xc0, 18]), tail, Buffer.from([0xc0, 12])]);
    expect(rcodeOf(forward)).toBe(RCODE.FORMERR);
  });

  it('answers FORMERR to qdcount other than 1, two OPT records and a broken OPT', () => {
    expect(rcodeOf(header(0))).toBe(RCODE.FORMERR);
    const q = buildQuery({ name: 'www.example.test' });
    const two = Buffer.from(q);
    two.writeUInt16BE(2, 4);
    expect(rcodeOf(Buffer.concat([two, q.subarray(12)]))).toBe(RCODE.FORMERR);
    const withOpt = buildQuery({ name: 'www.example.test', edns: {} });
    const opt = withOpt.subarray(q.length);
    const twoOpts = Buffer.concat([withOpt, opt]);
    twoOpts.writeUInt16BE(2, 10);
    expect(rcodeOf(twoOpts)).toBe(RCODE.FORMERR);
    const badOpt = Buffer.from(withOpt);
    badOpt.writeUInt16BE(9, badOpt.length - 2); // RDLENGTH beyond the message
    expect(rcodeOf(badOpt)).toBe(RCODE.FORMERR);
  });

  it('survives 2,000 seeded random datagrams and 2,000 mutated queries, replying FORMERR to a question dns2 cannot parse', () => {
    const random = seededRandom(8906);
    const byte = (): number => Math.floor(random() * 256);
    const seeds = ['www.example.test', 'a.b.c.example.test', 'nope.example.test'].map((name) =>
      buildQuery({ name, edns: { options: [{ code: 10, data: Buffer.alloc(8, 1) }] } }),
    );
    const inputs: Buffer[] = [];
    for (let i = 0; i < 2000; i++)
      inputs.push(Buffer.from(Array.from({ length: Math.floor(random() * 80) }, byte)));
    for (let i = 0; i < 2000; i++) {
      const m = Buffer.from(seeds[i % seeds.length]!);
      const flips = 1 + Math.floor(random() * 4);
      for (let f = 0; f < flips; f++) m[12 + Math.floor(random() * (m.length - 12))] = byte();
      inputs.push(random() < 0.3 ? m.subarray(0, 12 + Math.floor(random() * (m.length - 12))) : m);
    }
    let formerr = 0;
    for (const msg of inputs) {
      const r = reply(msg);
      if (msg.length < 12 || (msg[2]! & 0x80) !== 0) {
        expect(r).toBeNull();
        continue;
      }
      expect(r).not.toBeNull();
      expect(r!.readUInt16BE(0)).toBe(msg.readUInt16BE(0));
      expect(r![2]! & 0xf8).toBe(0x80 | (msg[2]! & 0x78)); // QR set, opcode copied
      const opcode = (msg[2]! >> 3) & 0xf;
      // Only the question and OPT are read: a broken record elsewhere may go unnoticed, a broken question never.
      if (opcode === 0 && Packet.parse(msg).errors.some((e) => e.section === 'questions')) {
        expect(r![3]! & 0x0f).toBe(RCODE.FORMERR);
        formerr++;
      }
    }
    expect(formerr).toBeGreaterThan(500);
    expect(logger.entries.filter((e) => e.level === 'warn')).toEqual([]);
    const after = decodeReply(reply(buildQuery({ name: 'www.example.test' }))!);
    expect(after.answer).toHaveLength(1);
  });
});
