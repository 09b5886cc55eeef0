/** Hand-built DNS queries and a small decoder-backed view of replies, for tests. */
import { Packet } from '../dns2.js';
import type { Message } from '../dns2.js';

export interface QueryOptions {
  name: string;
  type?: number;
  qclass?: number;
  id?: number;
  rd?: boolean;
  cd?: boolean;
  ad?: boolean;
  z?: boolean;
  opcode?: number;
  edns?: {
    payload?: number;
    version?: number;
    do?: boolean;
    flags?: number;
    options?: { code: number; data: Buffer }[];
  };
}

export function wireName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    Buffer.from([0]),
  ]);
}

export function buildQuery(o: QueryOptions): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(o.id ?? 0x1234, 0);
  header[2] = ((o.opcode ?? 0) << 3) | (o.rd ? 1 : 0);
  header[3] = (o.z ? 0x40 : 0) | (o.ad ? 0x20 : 0) | (o.cd ? 0x10 : 0);
  header.writeUInt16BE(1, 4);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(o.type ?? 1, 0);
  q.writeUInt16BE(o.qclass ?? 1, 2);
  const parts = [header, wireName(o.name), q];
  if (o.edns) {
    header.writeUInt16BE(1, 10);
    const opts = Buffer.concat(
      (o.edns.options ?? []).map(({ code, data }) => {
        const h = Buffer.alloc(4);
        h.writeUInt16BE(code, 0);
        h.writeUInt16BE(data.length, 2);
        return Buffer.concat([h, data]);
      }),
    );
    const opt = Buffer.alloc(11);
    opt[0] = 0;
    opt.writeUInt16BE(41, 1);
    opt.writeUInt16BE(o.edns.payload ?? 1232, 3);
    opt[6] = o.edns.version ?? 0;
    opt.writeUInt16BE((o.edns.do ? 0x8000 : 0) | (o.edns.flags ?? 0), 7);
    opt.writeUInt16BE(opts.length, 9);
    parts.push(opt, opts);
  }
  return Buffer.concat(parts);
}

export interface ReplyView {
  id: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  z: boolean;
  ad: boolean;
  cd: boolean;
  opcode: number;
  /** Full rcode: header nibble plus the OPT's extended bits. */
  rcode: number;
  questions: { name: string; type: number; class: number }[];
  answer: string[];
  authority: string[];
  additional: string[];
  opt: { payload: number; version: number; do: boolean; options: number } | null;
  message: Message;
}

function show(r: Message['answers'][number]): string {
  const { name, type, ttl } = r;
  const data = Object.entries(r)
    .filter(([k]) => !['name', 'type', 'class', 'ttl'].includes(k))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(' ');
  return `${name.toLowerCase()} ${ttl} ${type} ${data}`;
}

/** Decodes a reply with dns2's parser and flattens it for comparisons. */
export function decodeReply(buf: Buffer): ReplyView {
  const m = Packet.parse(buf);
  if (m.errors.length > 0)
    throw new Error(`reply does not decode: ${m.errors.map((e) => e.message).join('; ')}`);
  const b2 = buf[2]!;
  const b3 = buf[3]!;
  const optRec = m.additionals.find((r) => r.type === 41);
  return {
    id: buf.readUInt16BE(0),
    qr: (b2 & 0x80) !== 0,
    opcode: (b2 >> 3) & 0xf,
    aa: (b2 & 0x04) !== 0,
    tc: (b2 & 0x02) !== 0,
    rd: (b2 & 0x01) !== 0,
    ra: (b3 & 0x80) !== 0,
    z: (b3 & 0x40) !== 0,
    ad: (b3 & 0x20) !== 0,
    cd: (b3 & 0x10) !== 0,
    rcode: m.header.rcode,
    questions: m.questions.map((q) => ({ name: q.name, type: q.type, class: q.class })),
    answer: m.answers.map(show),
    authority: m.authorities.map(show),
    additional: m.additionals.filter((r) => r.type !== 41).map(show),
    opt: optRec
      ? {
          payload: optRec.class,
          version: optRec.version ?? 0,
          do: optRec.doFlag === true,
          options: optRec.rdata?.length ?? 0,
        }
      : null,
    message: m,
  };
}
