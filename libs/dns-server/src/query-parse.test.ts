/** The slow path decides from the header and reads only the question and OPT (issue #10). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { RCODE } from './constants.js';
import { Packet } from './dns2.js';
import { MAX_QUERY } from './query-parse.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { buildQuery, decodeReply } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';

const responder = new Responder(1232, recordingLogger(), undefined);
responder.snapshot = buildSnapshot(fixtureZoneState());

function udp(msg: Buffer): Buffer | null {
  const n = responder.answerUdp(msg);
  if (n === 0) return null;
  return n > 0 ? Buffer.from(responder.fast.out.subarray(0, n)) : responder.slowBuf;
}

/** `count` well-formed A records owned by the question name (a pointer to offset 12). */
function records(count: number): Buffer {
  const one = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
  return Buffer.concat(Array.from({ length: count }, () => one));
}

/** A query for www.example.test carrying `count` answer records: valid wire format, not a query. */
function withAnswers(count: number): Buffer {
  const q = buildQuery({ name: 'www.example.test', id: 0x7777 });
  q.writeUInt16BE(count, 6);
  return Buffer.concat([q, records(count)]);
}

afterEach(() => vi.restoreAllMocks());

describe('header-decided replies', () => {
  it('answers FORMERR from the header to a query with answer or authority records, without decoding them', () => {
    const parse = vi.spyOn(Packet, 'parse');
    const msg = withAnswers(240); // 3,874 octets of valid records
    expect(msg.length).toBeLessThanOrEqual(MAX_QUERY);
    const r = udp(msg)!;
    expect(r.length).toBe(12);
    expect([r.readUInt16BE(0), r[3]! & 0x0f, r.readUInt16BE(4), r.readUInt16BE(6)]).toEqual([
      0x7777,
      RCODE.FORMERR,
      0,
      0,
    ]);
    const ns = buildQuery({ name: 'www.example.test' });
    ns.writeUInt16BE(1, 8);
    expect(udp(Buffer.concat([ns, records(1)]))![3]! & 0x0f).toBe(RCODE.FORMERR);
    expect(responder.answerTcp(msg)!.length).toBe(12);
    expect(parse).not.toHaveBeenCalled();
  });

  it('answers FORMERR to more additional records than a query carries, and to an OPT not owned by the root', () => {
    const q = buildQuery({ name: 'www.example.test' });
    const many = Buffer.from(q);
    many.writeUInt16BE(5, 10);
    expect(udp(Buffer.concat([many, records(5)]))![3]! & 0x0f).toBe(RCODE.FORMERR);
    const withOpt = buildQuery({ name: 'www.example.test', edns: {} });
    const owned = Buffer.concat([
      withOpt.subarray(0, q.length),
      Buffer.from([0xc0, 12]),
      withOpt.subarray(q.length + 1),
    ]);
    expect(udp(owned)![3]! & 0x0f).toBe(RCODE.FORMERR);
    const tsigLike = Buffer.from(q);
    tsigLike.writeUInt16BE(1, 10);
    const reply = decodeReply(udp(Buffer.concat([tsigLike, records(1)]))!);
    expect([reply.rcode, reply.answer.length]).toEqual([RCODE.NOERROR, 1]);
  });

  it('drops a UDP datagram over 4,096 octets unread', () => {
    const parse = vi.spyOn(Packet, 'parse');
    const big = withAnswers(4000); // 64,034 octets
    expect(big.length).toBeGreaterThan(60_000);
    expect(udp(big)).toBeNull();
    const plain = buildQuery({
      name: 'www.example.test',
      edns: { options: [{ code: 12, data: Buffer.alloc(4100) }] },
    });
    expect(udp(plain)).toBeNull();
    expect(parse).not.toHaveBeenCalled();
  });

  it('still echoes the question and OPT with NOTIMP and BADVERS', () => {
    const notimp = decodeReply(udp(buildQuery({ name: 'www.example.test', opcode: 2, edns: { do: true } }))!);
    expect(notimp.rcode).toBe(RCODE.NOTIMP);
    expect(notimp.questions).toEqual([{ name: 'www.example.test', type: 1, class: 1 }]);
    expect(notimp.opt).toMatchObject({ payload: 1232, version: 0, do: true });
    const badvers = decodeReply(udp(buildQuery({ name: 'www.example.test', edns: { version: 1 } }))!);
    expect(badvers.rcode).toBe(RCODE.BADVERS);
    expect(badvers.opt).toMatchObject({ version: 0 });
  });

  it('reads the question case-insensitively in ASCII only', () => {
    const r = decodeReply(udp(buildQuery({ name: 'WwW.ExAmPlE.TeSt', type: 255 }))!);
    expect(r.questions[0]!.name).toBe('WwW.ExAmPlE.TeSt');
    expect(r.answer).toHaveLength(1);
  });
});
