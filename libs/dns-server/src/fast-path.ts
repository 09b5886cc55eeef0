/**
 * The hot path for UDP queries: no parse, no allocation. Reads the header and question straight from
 * the datagram, looks the (name, qtype) up in the snapshot's table, and writes header + the original
 * question bytes + the pre-encoded body (+ an OPT) into a reusable buffer. Anything it does not
 * recognise as plain returns 0 and goes to the dns2 slow path, which has the final word.
 */
import { CLASSIC_UDP_LIMIT, isMetaType, RCODE, TYPE } from './constants.js';
import type { FastAnswer, FastTable } from './fast-table.js';
import { NameScanner } from './wire.js';
import { ECS_OPTION, ecsWellFormed, writeEcs } from './ecs.js';
import { SteerPicker } from './steer-pick.js';
import type { ClientSource } from './steer-pick.js';

const REFUSED: FastAnswer = {
  aa: false,
  rcode: RCODE.REFUSED,
  an: 0,
  ns: 0,
  ar: 0,
  soa: false,
  tailSoa: false,
  body: Buffer.alloc(0),
};
const OPT_LEN = 11;

/**
 * EDNS options are {code, length, data} triples that must fill the RDATA exactly: -2 when they do not,
 * else the offset of the ECS option's data when `ecs` and there is one (issue 14 part 3), else -1. An
 * NSID request (option 3, RFC 5001) is declined too (-2): its reply carries an option the pre-encoded
 * OPT has not; so is a second ECS option, or a malformed one (the slow path answers FORMERR).
 */
function scanOptions(msg: Uint8Array, start: number, end: number, ecs: boolean): number {
  let p = start;
  let found = -1;
  while (p < end) {
    if (p + 4 > end || (msg[p] === 0 && msg[p + 1] === 3)) return -2;
    const n = (msg[p + 2]! << 8) | msg[p + 3]!;
    if (ecs && msg[p] === 0 && msg[p + 1] === ECS_OPTION) {
      if (found >= 0 || p + 4 + n > end || !ecsWellFormed(msg, p + 4, n)) return -2;
      found = p + 4;
    }
    p += 4 + n;
  }
  return p === end ? found : -2;
}

/** The length of the ECS option whose data starts at `at` (scanOptions' result), or 0 when there is none. */
function ecsLengthAt(msg: Uint8Array, at: number): number {
  return at < 0 ? 0 : (msg[at - 2]! << 8) | msg[at - 1]!;
}

export class FastPath {
  private readonly scanner = new NameScanner();
  /** Reply buffer, reused while the socket sends synchronously (see udp-transport.ts). */
  out: Buffer;
  /** Of the last reply written, for metrics. */
  rcode = 0;
  qtype = 0;
  /** Issue 14 part 3: read and echo EDNS Client Subnet (dns.geo.ecs); steering by client location. */
  ecs = false;
  readonly steer = new SteerPicker();

  constructor(private readonly payloadSize: number) {
    this.out = Buffer.allocUnsafeSlow(payloadSize);
  }

  /**
   * Writes the reply into `out` and returns its length, or returns 0 to hand the query to the slow path.
   * `src` is the resolver's address, read only for a steered answer without an ECS subnet.
   */
  answer(msg: Buffer, table: FastTable, src: ClientSource | null = null): number {
    const len = msg.length;
    // QR=0, opcode 0; qdcount 1, ancount 0, nscount 0, arcount ≤ 1.
    if (len < 17 || (msg[2]! & 0xf8) !== 0 || msg[4] !== 0 || msg[5] !== 1) return 0;
    if (msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0 || msg[11]! > 1)
      return 0;
    const sc = this.scanner;
    const nameEnd = sc.scan(msg, 12, len);
    if (nameEnd < 0 || nameEnd + 4 > len) return 0;
    const qtype = (msg[nameEnd]! << 8) | msg[nameEnd + 1]!;
    if (msg[nameEnd + 2] !== 0 || msg[nameEnd + 3] !== 1 || isMetaType(qtype)) return 0;
    const qEnd = nameEnd + 4;
    let limit = CLASSIC_UDP_LIMIT;
    let doFlag = -1;
    let ecsAt = -1;
    if (msg[11] === 1) {
      // Only a plain OPT: root owner, version 0, options that fill the message exactly.
      if (qEnd + OPT_LEN > len || msg[qEnd] !== 0 || msg[qEnd + 1] !== 0 || msg[qEnd + 2] !== TYPE.OPT)
        return 0;
      if (msg[qEnd + 6] !== 0) return 0;
      const rdEnd = qEnd + OPT_LEN + ((msg[qEnd + 9]! << 8) | msg[qEnd + 10]!);
      if (rdEnd !== len) return 0;
      ecsAt = scanOptions(msg, qEnd + OPT_LEN, len, this.ecs);
      if (ecsAt === -2) return 0;
      const theirs = (msg[qEnd + 3]! << 8) | msg[qEnd + 4]!;
      limit =
        theirs < CLASSIC_UDP_LIMIT
          ? CLASSIC_UDP_LIMIT
          : theirs > this.payloadSize
            ? this.payloadSize
            : theirs;
      doFlag = msg[qEnd + 7]! & 0x80;
    } else if (qEnd !== len) {
      return 0;
    }
    sc.hashSuffixes(msg);
    let ans: FastAnswer;
    let pointer = -1;
    const entry = table.find(sc.hashes[0]!, msg, 12, nameEnd);
    let scope = 0;
    if (entry !== undefined) {
      ans = entry.other;
      const qtypes = entry.qtypes;
      let qi = -1;
      for (let i = 0; i < qtypes.length; i++) {
        if (qtypes[i] === qtype) {
          ans = entry.answers[i]!;
          qi = i;
          break;
        }
      }
      // Issue 14 part 3: only names that read a failover record can be steered.
      if (entry.deps.length !== 0 && table.steers.size !== 0) {
        const steer = table.steers.get(entry);
        if (steer !== undefined) {
          ans = this.steer.pick(steer, qi, msg, ecsAt, ecsLengthAt(msg, ecsAt), src) ?? ans;
          scope = this.steer.scope;
        }
      }
      // A shared negative answer: its SOA owner points at the apex suffix of the question.
      if (ans.soa) pointer = 12 + entry.key.length - entry.home.apexLen;
    } else {
      ans = REFUSED;
      for (let i = 1; i <= sc.count; i++) {
        const start = sc.offsets[i]!;
        const zone = table.find(sc.hashes[i]!, msg, start, nameEnd)?.zone;
        if (zone === undefined || zone === null) continue;
        if (!zone.simple) return 0;
        ans = zone.nx;
        pointer = start;
        break;
      }
    }
    return this.write(msg, qEnd, ans, pointer, doFlag, limit, qtype, ecsAt, scope);
  }

  private write(
    msg: Buffer,
    qEnd: number,
    ans: FastAnswer,
    pointer: number,
    doFlag: number,
    limit: number,
    qtype: number,
    ecsAt: number,
    scope: number,
  ): number {
    const body = ans.body;
    const ecsLen = ecsLengthAt(msg, ecsAt);
    const optLen = doFlag < 0 ? 0 : ecsAt < 0 ? OPT_LEN : OPT_LEN + 4 + ecsLen;
    const total = qEnd + body.length + optLen;
    if (total > limit) return 0;
    const out = this.out;
    out[0] = msg[0]!;
    out[1] = msg[1]!;
    out[2] = ans.aa ? 0x84 | (msg[2]! & 0x01) : 0x80 | (msg[2]! & 0x01);
    out[3] = (msg[3]! & 0x10) | ans.rcode;
    out[4] = 0;
    out[5] = 1;
    out[6] = ans.an >> 8;
    out[7] = ans.an & 0xff;
    out[8] = ans.ns >> 8;
    out[9] = ans.ns & 0xff;
    const ar = doFlag < 0 ? ans.ar : ans.ar + 1;
    out[10] = ar >> 8;
    out[11] = ar & 0xff;
    for (let i = 12; i < qEnd; i++) out[i] = msg[i]!;
    let o = qEnd;
    if (body.length > 64) {
      o += body.copy(out, o);
    } else {
      for (let i = 0; i < body.length; i++) out[o++] = body[i]!;
    }
    if (pointer >= 0) {
      out[qEnd] = 0xc0 | (pointer >> 8);
      out[qEnd + 1] = pointer & 0xff;
    }
    if (doFlag >= 0) {
      out[o] = 0;
      out[o + 1] = 0;
      out[o + 2] = TYPE.OPT;
      out[o + 3] = this.payloadSize >> 8;
      out[o + 4] = this.payloadSize & 0xff;
      out[o + 5] = 0;
      out[o + 6] = 0;
      out[o + 7] = doFlag;
      out[o + 8] = 0;
      const rdLen = optLen - OPT_LEN;
      out[o + 9] = rdLen >> 8;
      out[o + 10] = rdLen & 0xff;
      o += OPT_LEN;
      // RFC 7871 §7.2.1: echo FAMILY, SOURCE and ADDRESS, with the scope this answer depends on.
      if (ecsAt >= 0) o = writeEcs(out, o, msg, ecsAt, ecsLen, scope);
    }
    this.rcode = ans.rcode;
    this.qtype = qtype;
    return o;
  }
}
