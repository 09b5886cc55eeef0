/**
 * A scriptable DNS server on real UDP and TCP sockets for DNS-check tests: each query gets whatever the
 * current `reply` function builds (or nothing), so tests can serve wrong codes, truncation, garbage or
 * silence. Replies are built with the small encoder below, independent of the code under test.
 */
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

export interface StubQuery {
  id: number;
  name: string;
  qtype: number;
  transport: 'udp' | 'tcp';
  /** The question section as sent (echoed into replies). */
  question: Buffer;
}

/** What to send back: a message, several (UDP: one datagram each; TCP: the last), or null for silence. */
export type StubReply = (q: StubQuery) => Buffer | Buffer[] | null;

export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])),
    Buffer.from([0]),
  ]);
}

export interface RR {
  /** Owner: a name, or a compression pointer to the question name (offset 12) when omitted. */
  name?: string;
  type: number;
  ttl?: number;
  rdata: Buffer;
}

export function a(address: string): RR {
  return { type: 1, rdata: Buffer.from(address.split('.').map(Number)) };
}

export function txt(...strings: string[]): RR {
  return {
    type: 16,
    rdata: Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]))),
  };
}

/** A reply to `q`: flags QR|RD|RA (|AA), the question echoed, then the answers. */
export function reply(
  q: StubQuery,
  opts: { rcode?: number; tc?: boolean; answers?: RR[]; id?: number } = {},
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(opts.id ?? q.id, 0);
  header.writeUInt16BE(0x8000 | 0x0400 | 0x0100 | 0x0080 | (opts.tc ? 0x0200 : 0) | (opts.rcode ?? 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(opts.answers?.length ?? 0, 6);
  const rrs = (opts.answers ?? []).map((rr) => {
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(rr.type, 0);
    fixed.writeUInt16BE(1, 2);
    fixed.writeUInt32BE(rr.ttl ?? 60, 4);
    fixed.writeUInt16BE(rr.rdata.length, 8);
    const owner = rr.name === undefined ? Buffer.from([0xc0, 12]) : encodeName(rr.name);
    return Buffer.concat([owner, fixed, rr.rdata]);
  });
  return Buffer.concat([header, q.question, ...rrs]);
}

function parseQuery(msg: Buffer, transport: 'udp' | 'tcp'): StubQuery | null {
  if (msg.length < 17) return null;
  let pos = 12;
  const labels: string[] = [];
  while (pos < msg.length && msg[pos] !== 0) {
    labels.push(msg.subarray(pos + 1, pos + 1 + msg[pos]!).toString());
    pos += 1 + msg[pos]!;
  }
  const end = pos + 5;
  if (end > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    name: `${labels.join('.')}.`,
    qtype: msg.readUInt16BE(pos + 1),
    transport,
    question: msg.subarray(12, end),
  };
}

export class DnsStub {
  reply: StubReply = (q) => reply(q);
  readonly queries: StubQuery[] = [];
  private constructor(
    private readonly udp: UdpSocket,
    private readonly tcp: Server,
    readonly port: number,
  ) {}

  /** UDP and TCP on the same random port of 127.0.0.1 (retried when TCP's half is taken). */
  static async start(): Promise<DnsStub> {
    for (let attempt = 0; ; attempt++) {
      const udp = createSocket('udp4');
      await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
      const port = udp.address().port;
      const tcp = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        tcp.once('error', () => resolve(false));
        tcp.listen(port, '127.0.0.1', () => resolve(true));
      });
      if (ok) {
        const stub = new DnsStub(udp, tcp, port);
        stub.listen();
        return stub;
      }
      udp.close();
      if (attempt > 20) throw new Error('no free port for both UDP and TCP');
    }
  }

  private answer(msg: Buffer, transport: 'udp' | 'tcp'): Buffer[] {
    const q = parseQuery(msg, transport);
    if (!q) return [];
    this.queries.push(q);
    const out = this.reply(q);
    return out === null ? [] : Array.isArray(out) ? out : [out];
  }

  private listen(): void {
    this.udp.on('message', (msg, rinfo) => {
      for (const out of this.answer(msg, 'udp')) this.udp.send(out, rinfo.port, rinfo.address);
    });
    this.tcp.on('connection', (socket: Socket) => {
      socket.on('error', () => undefined);
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
        const out = this.answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp').at(-1);
        buf = Buffer.alloc(0);
        if (!out) return;
        const prefix = Buffer.alloc(2);
        prefix.writeUInt16BE(out.length, 0);
        socket.end(Buffer.concat([prefix, out]));
      });
    });
  }

  async close(): Promise<void> {
    this.udp.close();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
  }
}
