/** Malformed input over TCP, with real sockets: the server answers what it can, cuts the rest, and serves on. */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { APEX, startHarness } from './harness.js';
import type { Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.close());
afterEach(async () => {
  // Whatever came before, the next client gets a correct answer over TCP.
  const r = await h.dig(`www.${APEX}`, 'A', ['+tcp', '+norec']);
  expect(r.status).toBe('NOERROR');
  expect(r.answer.map((a) => a.data)).toEqual(['192.0.2.1']);
});

interface Outcome {
  replies: Buffer[];
  /** The server closed the connection (before our timeout). */
  closedByServer: boolean;
}

/**
 * Writes the bytes, half-closes when `end`, and collects framed replies until the server closes or
 * `ms` pass without it.
 */
function exchange(bytes: Buffer, end: boolean, ms = 4000): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock = net.connect(h.port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const finish = (closedByServer: boolean): void => {
      clearTimeout(timer);
      sock.destroy();
      const replies: Buffer[] = [];
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      resolve({ replies, closedByServer });
    };
    const timer = setTimeout(() => finish(false), ms);
    sock.on('error', () => undefined); // a reset after we wrote past the cut-off
    sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
    sock.on('close', () => finish(true));
    sock.write(bytes);
    if (end) sock.end();
  });
}

const frame = (body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
const header = (id: number): Buffer => Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);

/** Deterministic bytes (LCG), so a failure can be replayed. */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const rcode = (reply: Buffer): number => reply[3]! & 0x0f;

describe('malformed TCP input', () => {
  it('closes a connection that ends inside a length prefix', async () => {
    expect(await exchange(Buffer.from([0x00]), true)).toEqual({ replies: [], closedByServer: true });
  });

  it('closes a connection that ends before the announced length arrived', async () => {
    const partial = Buffer.concat([Buffer.from([0, 100]), header(7), Buffer.alloc(8, 0x61)]);
    expect(await exchange(partial, true)).toEqual({ replies: [], closedByServer: true });
  });

  it('answers FORMERR to a garbage body with a readable header', async () => {
    const body = Buffer.concat([header(0x5151), noise(30, 1)]);
    body[12] = 0x3f; // a 63-octet label running past the end of the message
    const { replies } = await exchange(frame(body), true);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.readUInt16BE(0)).toBe(0x5151);
    expect(rcode(replies[0]!)).toBe(1);
  });

  it('answers FORMERR to a compression pointer loop', async () => {
    const loop = Buffer.concat([header(0x4242), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    const { replies } = await exchange(frame(loop), true);
    expect(replies.map((r) => [r.readUInt16BE(0), rcode(r)])).toEqual([[0x4242, 1]]);
  });

  it('cuts off a 65535-octet frame of random bytes as soon as its length prefix arrives', async () => {
    const t0 = Date.now();
    const out = await exchange(frame(noise(65535, 2)), false);
    expect(out).toEqual({ replies: [], closedByServer: true });
    expect(Date.now() - t0).toBeLessThan(4000); // not the 10 s idle timeout
  });

  it('survives 300 frames of random lengths and bytes, each on its own connection', async () => {
    for (let i = 0; i < 300; i++) {
      const body = noise(1 + (i % 200), 1000 + i);
      const prefix = i % 3 === 0 ? Buffer.from([0, body.length]) : noise(2, 5000 + i);
      await exchange(Buffer.concat([prefix, body]), true, 2000);
    }
    // Dropped requests are debug lines; nothing worth a warning happened (the start-up info lines, such as
    // which UDP path serves, are not about the frames).
    expect(h.logger.entries.filter((e) => ['warn', 'error', 'fatal'].includes(e.level))).toEqual([]);
  }, 60_000);

  it('answers queries pipelined behind a malformed one on the same connection', async () => {
    const q = (id: number): Buffer =>
      Buffer.concat([
        header(id),
        Buffer.from([
          3,
          0x77,
          0x77,
          0x77,
          7,
          ...Buffer.from('example'),
          4,
          ...Buffer.from('test'),
          0,
          0,
          1,
          0,
          1,
        ]),
      ]);
    const loop = Buffer.concat([header(2), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    const { replies } = await exchange(Buffer.concat([frame(q(1)), frame(loop), frame(q(3))]), true);
    expect(replies.map((r) => [r.readUInt16BE(0), rcode(r)])).toEqual([
      [1, 0],
      [2, 1],
      [3, 0],
    ]);
  });
});
