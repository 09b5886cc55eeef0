import { describe, expect, it } from 'vitest';
import { FrameReader } from './tcp-frames.js';

const frame = (len: number, fill = 0x61): Buffer =>
  Buffer.concat([Buffer.from([len >> 8, len & 0xff]), Buffer.alloc(len, fill)]);

describe('FrameReader', () => {
  it('hands over frames up to the limit however the stream is cut, and refuses the first longer one', () => {
    const stream = Buffer.concat([frame(100, 1), frame(0), frame(300, 2), frame(301), frame(5)]);
    for (const cut of [1, 2, 3, 7, 101, stream.length]) {
      const got: Buffer[] = [];
      const r = new FrameReader(300, (m) => got.push(Buffer.from(m)));
      const verdicts: boolean[] = [];
      for (let i = 0; i < stream.length; i += cut) verdicts.push(r.push(stream.subarray(i, i + cut)));
      const refusedAt = verdicts.indexOf(false) * cut;
      // The refusal comes with the chunk that completes frame(301)'s prefix, never earlier.
      const prefixEnd = 102 + 2 + 302 + 2;
      expect(refusedAt).toBeGreaterThan(prefixEnd - 1 - cut);
      expect(refusedAt).toBeLessThan(prefixEnd);
      expect(got.map((m) => [m.length, m[0] ?? -1])).toEqual([
        [100, 1],
        [0, -1],
        [300, 2],
      ]);
    }
  });

  it('treats octets of a message body as data, not as length prefixes', () => {
    const r = new FrameReader(10, () => undefined);
    // Bodies full of 0xff would read as 65535-octet prefixes if the framing were lost.
    expect(r.push(Buffer.concat([frame(10, 0xff), frame(10, 0xff)]))).toBe(true);
    expect(r.push(frame(11, 0))).toBe(false);
  });

  it('says when a frame is under way, its prefix included', () => {
    const r = new FrameReader(100, () => undefined);
    expect(r.partial).toBe(false);
    r.push(Buffer.from([0]));
    expect(r.partial).toBe(true);
    r.push(Buffer.from([3, 1, 2]));
    expect([r.partial, r.completed]).toEqual([true, 0]);
    r.push(Buffer.from([3]));
    expect([r.partial, r.completed]).toEqual([false, 1]);
  });
});
