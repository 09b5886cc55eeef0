import { describe, expect, it } from 'vitest';
import { FrameWatch } from './tcp-frames.js';

const frame = (len: number, fill = 0x61): Buffer =>
  Buffer.concat([Buffer.from([len >> 8, len & 0xff]), Buffer.alloc(len, fill)]);

describe('FrameWatch', () => {
  it('accepts frames up to the limit however the stream is cut, and refuses the first longer one', () => {
    const stream = Buffer.concat([frame(100), frame(0), frame(300), frame(301), frame(5)]);
    for (const cut of [1, 2, 3, 7, 101, stream.length]) {
      const w = new FrameWatch(300);
      const verdicts: boolean[] = [];
      for (let i = 0; i < stream.length; i += cut) verdicts.push(w.push(stream.subarray(i, i + cut)));
      const refusedAt = verdicts.indexOf(false) * cut;
      // The refusal comes with the chunk that completes frame(301)'s prefix, never earlier.
      const prefixEnd = 102 + 2 + 302 + 2;
      expect(refusedAt).toBeGreaterThan(prefixEnd - 1 - cut);
      expect(refusedAt).toBeLessThan(prefixEnd);
    }
  });

  it('treats octets of a message body as data, not as length prefixes', () => {
    const w = new FrameWatch(10);
    // Bodies full of 0xff would read as 65535-octet prefixes if the framing were lost.
    expect(w.push(Buffer.concat([frame(10, 0xff), frame(10, 0xff)]))).toBe(true);
    expect(w.push(frame(11, 0))).toBe(false);
  });
});
