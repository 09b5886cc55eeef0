import { describe, expect, it } from 'vitest';
import { recordingLogger } from '@understudy/testkit/logger';
import { IoGuard } from './rate-limited-warning.js';
import { Responder } from './responder.js';
import { buildSnapshot } from './snapshot.js';
import { buildQuery } from './test-support/query.js';
import { fixtureZoneState } from './test-support/zones.js';
import { BatchAnswerer, sourceAddress } from './udp-batched.js';

/** The addon's layout, shrunk: 4 datagrams per slot, 2 slots, a 120-octet out buffer to force flushes. */
const layout = { BATCH: 4, DGRAM_STRIDE: 600, ADDR_STRIDE: 20, OUT_BYTES: 120 };

function rig(responder = new Responder(1232, recordingLogger())) {
  const shared = {
    in: new ArrayBuffer(2 * 4 * 600),
    lens: new ArrayBuffer(2 * 4 * 4),
    addrs: new ArrayBuffer(2 * 4 * 20),
    out: new ArrayBuffer(120),
    omsg: new ArrayBuffer(4 * 3 * 4),
  };
  responder.snapshot ??= buildSnapshot(fixtureZoneState());
  const guard = new IoGuard(recordingLogger());
  const sent: { slot: number; replies: { reply: Buffer; src: number }[] }[] = [];
  const out = Buffer.from(shared.out);
  const omsg = new Int32Array(shared.omsg);
  const answerer = new BatchAnswerer(shared, layout, {
    responder,
    guard,
    flush: (slot, n) => {
      const replies = [];
      for (let i = 0; i < n; i++)
        replies.push({
          reply: Buffer.from(out.subarray(omsg[i * 3], omsg[i * 3]! + omsg[i * 3 + 1]!)),
          src: omsg[i * 3 + 2]!,
        });
      sent.push({ slot, replies });
    },
  });
  /** Puts datagram i of `slot` in place, as the reader thread does. */
  const put = (slot: number, i: number, msg: Buffer | null, port = 5353, addr = [192, 0, 2, 9]): void => {
    const k = slot * 4 + i;
    new Int32Array(shared.lens)[k] = msg === null ? -1 : msg.length;
    if (msg !== null) msg.copy(Buffer.from(shared.in), k * 600);
    const a = new Uint8Array(shared.addrs, k * 20, 20);
    a[0] = addr.length === 4 ? 4 : 6;
    a[1] = port >> 8;
    a[2] = port & 0xff;
    a.set(addr, 4);
  };
  return { answerer, guard, sent, put };
}

describe('BatchAnswerer', () => {
  it('answers each datagram of a slot to its own source, skipping port 0 and oversized ones', () => {
    const { answerer, guard, sent, put } = rig();
    put(1, 0, buildQuery({ name: 'www.example.test', id: 1 }));
    put(1, 1, buildQuery({ name: 'www.example.test', id: 2 }), 0);
    put(1, 2, null);
    put(1, 3, buildQuery({ name: 'nope.example.test', id: 4 }));
    answerer.answer(1, 4);
    expect(sent.map((s) => s.slot)).toEqual(sent.map(() => 1));
    expect(sent.flatMap((s) => s.replies).map((r) => [r.reply.readUInt16BE(0), r.src])).toEqual([
      [1, 0],
      [4, 3],
    ]);
    expect(guard.counts().udpPortZero).toBe(1);
  });

  it('flushes early when the replies outgrow the out buffer, and resends nothing', () => {
    const { answerer, sent, put } = rig();
    // Replies of about 50 octets: two fill the 120 of out.
    for (let i = 0; i < 4; i++) put(0, i, buildQuery({ name: 'www.example.test', id: 10 + i }));
    answerer.answer(0, 4);
    const ids = sent.flatMap((s) => s.replies.map((r) => r.reply.readUInt16BE(0)));
    expect(sent.length).toBeGreaterThan(1);
    expect(ids).toEqual([10, 11, 12, 13]);
    for (const s of sent) expect(s.replies.reduce((n, r) => n + r.reply.length, 0)).toBeLessThanOrEqual(120);
  });

  it('contains a responder that throws to the datagram that made it throw', () => {
    const responder = new Responder(1232, recordingLogger());
    const real = responder.answerUdp.bind(responder);
    responder.answerUdp = (msg) => {
      if (msg.readUInt16BE(0) === 666) throw new Error('injected');
      return real(msg);
    };
    const { answerer, guard, sent, put } = rig(responder);
    put(0, 0, buildQuery({ name: 'www.example.test', id: 666 }));
    put(0, 1, buildQuery({ name: 'www.example.test', id: 7 }));
    expect(() => answerer.answer(0, 2)).not.toThrow();
    expect(sent[0]!.replies.map((r) => r.reply.readUInt16BE(0))).toEqual([7]);
    expect(guard.counts().udpSendErrors).toBe(1);
  });

  it('formats IPv4 and IPv6 source addresses for the rate limiter', () => {
    const a = new Uint8Array(40);
    a.set([4, 0, 53, 0, 198, 51, 100, 7]);
    a.set([6, 0, 53, 0, 0x20, 0x01, 0x0d, 0xb8], 20);
    a[39] = 1;
    expect(sourceAddress(a, 0)).toBe('198.51.100.7');
    expect(sourceAddress(a, 20)).toBe('2001:db8:0:0:0:0:0:1');
  });
});
