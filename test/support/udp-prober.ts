/**
 * A raw-UDP query loop against DNS servers for the chaos tests: one A query for a name per server every
 * `everyMs`, each with its own deadline, counting every query that gets no NOERROR answer in time. Raw
 * sockets rather than dig: a process per query would load the 2-core machine more than the faults do.
 */
import { createSocket, type Socket } from 'node:dgram';

export interface ProbeTarget {
  name: string;
  port: () => number;
}

export interface Failure {
  server: string;
  at: number;
  why: string;
}

export interface ProbeStats {
  queries: number;
  failures: Failure[];
  /** The last answer seen per server. */
  last: Map<string, string>;
}

export class UdpProber {
  readonly stats: ProbeStats = { queries: 0, failures: [], last: new Map() };
  private running = false;
  private loops: Promise<void>[] = [];
  private id = 1;

  constructor(
    private readonly targets: ProbeTarget[],
    private readonly qname: string,
    private readonly opts: { everyMs: number; timeoutMs: number },
  ) {}

  start(): void {
    this.running = true;
    this.loops = this.targets.map((t) => this.loop(t));
  }

  async stop(): Promise<ProbeStats> {
    this.running = false;
    await Promise.all(this.loops);
    return this.stats;
  }

  private async loop(t: ProbeTarget): Promise<void> {
    const socket = createSocket('udp4');
    socket.on('error', () => undefined); // an ICMP unreachable shows up as a timeout below
    try {
      while (this.running) {
        const started = Date.now();
        this.stats.queries++;
        const res = await this.query(socket, t.port());
        if (res.ok) this.stats.last.set(t.name, res.answer);
        else this.stats.failures.push({ server: t.name, at: started, why: res.why });
        const wait = this.opts.everyMs - (Date.now() - started);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    } finally {
      socket.close();
    }
  }

  private query(
    socket: Socket,
    port: number,
  ): Promise<{ ok: true; answer: string } | { ok: false; why: string }> {
    const id = (this.id = (this.id + 1) & 0xffff);
    const packet = buildQuery(id, this.qname);
    return new Promise((resolve) => {
      const done = (r: { ok: true; answer: string } | { ok: false; why: string }) => {
        clearTimeout(timer);
        socket.off('message', onMessage);
        resolve(r);
      };
      const onMessage = (msg: Buffer) => {
        if (msg.length < 12 || msg.readUInt16BE(0) !== id) return; // a late reply to an earlier query
        const rcode = msg[3]! & 0x0f;
        if (rcode !== 0) return done({ ok: false, why: `rcode ${rcode}` });
        const answer = firstA(msg);
        done(answer ? { ok: true, answer } : { ok: false, why: 'no A record in the answer' });
      };
      const timer = setTimeout(
        () => done({ ok: false, why: `no reply in ${this.opts.timeoutMs} ms` }),
        this.opts.timeoutMs,
      );
      socket.on('message', onMessage);
      socket.send(packet, port, '127.0.0.1', (err) => {
        if (err) done({ ok: false, why: `send: ${err.message}` });
      });
    });
  }
}

function buildQuery(id: number, qname: string): Buffer {
  const labels = qname.split('.').filter(Boolean);
  const name = Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // a plain query, RD off: we ask an authoritative server
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(1, 0); // A
  tail.writeUInt16BE(1, 2); // IN
  return Buffer.concat([header, name, tail]);
}

/** Skips a (possibly compressed) name; returns the offset after it. */
function skipName(msg: Buffer, at: number): number {
  let i = at;
  while (i < msg.length) {
    const len = msg[i]!;
    if ((len & 0xc0) === 0xc0) return i + 2;
    if (len === 0) return i + 1;
    i += len + 1;
  }
  return msg.length;
}

/** The first A record of the answer section, dotted; null when there is none. */
export function firstA(msg: Buffer): string | null {
  const qd = msg.readUInt16BE(4);
  const an = msg.readUInt16BE(6);
  let i = 12;
  for (let q = 0; q < qd; q++) i = skipName(msg, i) + 4;
  for (let a = 0; a < an && i + 10 <= msg.length; a++) {
    i = skipName(msg, i);
    const type = msg.readUInt16BE(i);
    const rdlen = msg.readUInt16BE(i + 8);
    const rdata = i + 10;
    if (type === 1 && rdlen === 4 && rdata + 4 <= msg.length)
      return [...msg.subarray(rdata, rdata + 4)].join('.');
    i = rdata + rdlen;
  }
  return null;
}
