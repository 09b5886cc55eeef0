/**
 * Asks a secondary which serial of a zone it serves: one SOA query over UDP (RD clear), on a socket
 * connected to the secondary so only its replies arrive. A reply counts only when it echoes the ID and the
 * question, is NOERROR and carries the zone's SOA in the answer section; anything else (late, spoofed,
 * broken) is ignored until the timeout.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import { isIP } from 'node:net';
import { nameToWire } from './wire.js';
import { readName } from './xfr-wire.js';

const TYPE_SOA = 6;
const CLASS_IN = 1;

export function soaQuery(id: number, zone: string): Buffer {
  const q = nameToWire(zone);
  const out = Buffer.alloc(12 + q.length + 4);
  out.writeUInt16BE(id, 0);
  out.writeUInt16BE(1, 4);
  q.copy(out, 12);
  out.writeUInt16BE(TYPE_SOA, 12 + q.length);
  out.writeUInt16BE(CLASS_IN, 14 + q.length);
  return out;
}

/** The serial in a reply to `query`, or null when it is not a matching NOERROR reply with the SOA. */
export function soaSerialOf(query: Buffer, reply: Buffer): number | null {
  try {
    const qEnd = query.length;
    if (reply.length < qEnd || reply.readUInt16BE(0) !== query.readUInt16BE(0)) return null;
    // QR set, opcode QUERY, rcode NOERROR, one question, at least one answer.
    if ((reply[2]! & 0xf8) !== 0x80 || (reply[3]! & 0x0f) !== 0) return null;
    if (reply.readUInt16BE(4) !== 1 || reply.readUInt16BE(6) === 0) return null;
    // Names compare case-insensitively (RFC 4343); our query is lower case.
    const q = readName(reply, 12);
    if (q.next + 4 !== qEnd || q.name.key !== readName(query, 12).name.key) return null;
    if (reply.readUInt16BE(q.next) !== TYPE_SOA || reply.readUInt16BE(q.next + 2) !== CLASS_IN) return null;
    const owner = readName(reply, qEnd);
    const type = reply.readUInt16BE(owner.next);
    if (type !== TYPE_SOA || owner.name.key !== q.name.key) return null;
    const rdata = owner.next + 10;
    const mname = readName(reply, rdata);
    const rname = readName(reply, mname.next);
    return rname.next + 4 <= reply.length ? reply.readUInt32BE(rname.next) : null;
  } catch {
    return null;
  }
}

/** The serial `host:port` answers for `zone`, or null (no matching reply within `timeoutMs`). */
export function querySoaSerial(
  host: string,
  port: number,
  zone: string,
  timeoutMs: number,
): Promise<number | null> {
  const query = soaQuery(randomInt(0x10000), zone);
  return new Promise((resolve) => {
    const sock = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (serial: number | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve(serial);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    timer.unref();
    // Unreachable (ICMP refused) or unroutable: no serial; the caller asks again later.
    sock.on('error', () => finish(null));
    sock.on('message', (msg) => {
      const serial = soaSerialOf(query, msg);
      if (serial !== null) finish(serial);
    });
    sock.connect(port, host, () => {
      if (!done) sock.send(query);
    });
  });
}
