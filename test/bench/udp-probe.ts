/** Polls a DNS server over UDP for one A record, to time when a new answer is actually served. */
import dgram from 'node:dgram';

function encodeQuery(id: number, name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.');
  return Buffer.concat([
    Buffer.from([id >> 8, id & 0xff, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]),
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0, 0, 1, 0, 1]),
  ]);
}

function skipName(buf: Buffer, off: number): number {
  for (;;) {
    const len = buf[off]!;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    off += len + 1;
  }
}

/** The A addresses in a response (answer section only). */
export function answerAddresses(buf: Buffer): string[] {
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let off = 12;
  for (let i = 0; i < qd; i++) off = skipName(buf, off) + 4;
  const out: string[] = [];
  for (let i = 0; i < an; i++) {
    off = skipName(buf, off);
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    if (type === 1 && rdlen === 4) out.push([...buf.subarray(off + 10, off + 14)].join('.'));
    off += 10 + rdlen;
  }
  return out;
}

/**
 * Sends a query every `everyMs` until a response contains `want`; resolves with the receive time
 * (from `now`). Rejects after `timeoutMs`.
 */
export function pollUntilServed(opts: {
  port: number;
  name: string;
  want: string;
  /** Issue 14: the answer must also leave this address out (a tier serving a smaller subset). */
  without?: string;
  now: () => number;
  everyMs?: number;
  timeoutMs?: number;
}): Promise<number> {
  const sock = dgram.createSocket('udp4');
  let id = 0;
  return new Promise<number>((resolve, reject) => {
    const finish = (err: Error | null, at?: number): void => {
      clearInterval(timer);
      clearTimeout(deadline);
      sock.close();
      if (err) reject(err);
      else resolve(at!);
    };
    sock.on('error', (err) => finish(err));
    sock.on('message', (msg) => {
      const at = opts.now();
      const got = answerAddresses(msg);
      if (got.includes(opts.want) && (opts.without === undefined || !got.includes(opts.without)))
        finish(null, at);
    });
    const timer = setInterval(
      () => sock.send(encodeQuery(++id & 0xffff, opts.name), opts.port, '127.0.0.1'),
      opts.everyMs ?? 1,
    );
    const deadline = setTimeout(
      () => finish(new Error(`${opts.name} never answered ${opts.want}`)),
      opts.timeoutMs ?? 15_000,
    );
  });
}
