/**
 * The messages of one transfer reply: the client's question echoed, then the records in chunks that
 * each make a message of about TARGET_BYTES, encoded by the fast table's body encoder (compressed
 * against the question). A chunk that will not fit one message is halved until it does.
 */
import { RCODE } from './constants.js';
import type { Resource } from './dns2.js';
import { encodeBody } from './body-encoder.js';
import type { XfrRequest } from './xfr-wire.js';

/** Records per message to start with; small A records make ~8 KiB messages. */
const CHUNK = 500;

/** A reply header plus the echoed question, no records: QR, AA (with NOERROR), the request's opcode. */
export function xfrHeader(id: number, rcode: number, msg: Buffer, req: XfrRequest): Buffer {
  const out = Buffer.alloc(req.questionEnd);
  msg.copy(out, 12, 12, req.questionEnd);
  out.writeUInt16BE(id, 0);
  out[2] = 0x80 | (msg[2]! & 0x78) | (rcode === RCODE.NOERROR ? 0x04 : 0);
  out[3] = rcode & 0x0f;
  out.writeUInt16BE(req.questionEnd > 12 ? 1 : 0, 4);
  return out;
}

export function encodeXfrMessages(req: XfrRequest, msg: Buffer, records: readonly Resource[]): Buffer[] {
  const head = xfrHeader(req.id, RCODE.NOERROR, msg, req);
  const qname = req.qname!.key;
  const out: Buffer[] = [];
  const emit = (from: number, to: number): void => {
    let body: Buffer;
    try {
      body = encodeBody(qname, req.qtype, records.slice(from, to), [], []).body;
    } catch (err) {
      if (to - from <= 1) throw err;
      const mid = from + Math.floor((to - from) / 2);
      emit(from, mid);
      emit(mid, to);
      return;
    }
    const m = Buffer.concat([head, body]);
    m.writeUInt16BE(to - from, 6);
    out.push(m);
  };
  for (let i = 0; i < records.length; i += CHUNK) emit(i, Math.min(records.length, i + CHUNK));
  return out;
}
