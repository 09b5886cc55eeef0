/**
 * Serves AXFR (RFC 5936) and IXFR (RFC 1995) over TCP from the snapshot the queries are answered from
 * (static base + current overlay, as the model holds it) and the IXFR journal, with ACLs and TSIG
 * (RFC 8945). Transfers are refused unless a rule allows them. One reply may take many messages; each is
 * at most ~16 KiB so a secondary starts storing early, and every one is signed when the request was.
 */
import type { Logger } from '@understudy/core';
import { RCODE, TYPE } from './constants.js';
import { RateLimitedWarning } from './rate-limited-warning.js';
import type { Resource } from './dns2.js';
import type { Snapshot } from './snapshot.js';
import { serialLessThan } from './serial.js';
import { TransferAcl } from './transfer-acl.js';
import type { TransferAllow } from './transfer-acl.js';
import type { TransferJournal } from './transfer-journal.js';
import { RCODE_NOTAUTH, TSIG_ERROR, TsigSigner, unsignedErrorTsig, verifyRequest } from './tsig.js';
import type { TsigKey } from './tsig.js';
import { isWireError, parseXfrMessage } from './xfr-wire.js';
import type { XfrRequest } from './xfr-wire.js';
import { encodeXfrMessages, xfrHeader } from './transfer-encode.js';

export interface TransferSettings {
  allow: TransferAllow[];
  keys: TsigKey[];
  /** IXFR journal length in overlay changes (default 1000). */
  journalSize?: number;
}

/** One transfer served (or refused), for metrics and events. */
export interface TransferInfo {
  type: 'AXFR' | 'IXFR' | 'IXFR-AXFR';
  zone: string;
  client: string;
  /** The serial the client holds (IXFR only). */
  clientSerial: number | null;
  serial: number;
  rcode: number;
  /** TSIG error (BADSIG…), 0 when none. */
  tsigError: number;
  key: string | null;
  messages: number;
  records: number;
  bytes: number;
  ms: number;
}

const OPCODE_QUERY = 0;

export function isTransferQuery(msg: Buffer): boolean {
  if (msg.length < 17 || (msg[2]! & 0x80) !== 0 || ((msg[2]! >> 3) & 0x0f) !== OPCODE_QUERY) return false;
  if (msg.readUInt16BE(4) !== 1) return false;
  // The question name is usually uncompressed in a request: walk it to read the type.
  let off = 12;
  while (off < msg.length && msg[off]! !== 0 && msg[off]! < 64) off += msg[off]! + 1;
  if (off + 3 > msg.length) return false;
  const qtype = msg.readUInt16BE(off + 1);
  return qtype === TYPE.AXFR || qtype === TYPE.IXFR;
}

export class TransferServer {
  private readonly acl: TransferAcl;
  private readonly keys: Map<string, TsigKey>;
  private readonly refused: RateLimitedWarning;
  private readonly tsigRefused: RateLimitedWarning;

  constructor(
    settings: TransferSettings,
    private readonly snapshot: () => Snapshot | null,
    private readonly journal: TransferJournal,
    private readonly logger: Logger,
    private readonly onTransfer?: (info: TransferInfo) => void,
    private readonly nowSec: () => number = () => Math.floor(Date.now() / 1000),
  ) {
    this.acl = new TransferAcl(settings.allow);
    this.keys = new Map(settings.keys.map((k) => [k.name, k]));
    this.refused = new RateLimitedWarning(logger, 'dns: zone transfer refused', 1000);
    this.tsigRefused = new RateLimitedWarning(logger, 'dns: zone transfer refused', 1000);
  }

  /** The reply frames for one AXFR/IXFR request from `client`; never throws on network input. */
  answer(msg: Buffer, client: string): Buffer[] {
    const t0 = performance.now();
    let req: XfrRequest;
    try {
      req = parseXfrMessage(msg);
    } catch (err) {
      if (!isWireError(err)) this.logger.warn({ err }, 'dns: transfer request failed to parse');
      return [errorReply(msg, RCODE.FORMERR)];
    }
    const info: TransferInfo = {
      type: req.qtype === TYPE.IXFR ? 'IXFR' : 'AXFR',
      zone: req.qname?.key ?? '',
      client,
      clientSerial: req.clientSerial,
      serial: 0,
      rcode: RCODE.NOERROR,
      tsigError: 0,
      key: null,
      messages: 1,
      records: 0,
      bytes: 0,
      ms: 0,
    };
    let frames: Buffer[];
    try {
      frames = this.serve(msg, req, info);
    } catch (err) {
      // A record the encoder refuses costs this transfer, never the server.
      this.logger.error({ err, zone: info.zone }, 'dns: zone transfer failed');
      info.rcode = RCODE.SERVFAIL;
      frames = [errorReply(msg, RCODE.SERVFAIL)];
    }
    info.messages = frames.length;
    info.bytes = frames.reduce((s, f) => s + f.length, 0);
    info.ms = performance.now() - t0;
    if (info.rcode === RCODE.NOERROR)
      // The client's serial (IXFR) is what that secondary served when it asked.
      this.logger.info(
        {
          client,
          zone: info.zone,
          type: info.type,
          serial: info.serial,
          clientSerial: info.clientSerial,
          records: info.records,
          bytes: info.bytes,
          messages: info.messages,
          ms: Math.round(info.ms),
        },
        'dns: zone transfer served',
      );
    else
      // Anyone who can open a TCP connection can be refused: at most one line a second per kind.
      (info.tsigError ? this.tsigRefused : this.refused).record({
        client,
        zone: info.zone,
        type: info.type,
        rcode: info.rcode,
        tsigError: info.tsigError,
        key: info.key,
      });
    try {
      this.onTransfer?.(info);
    } catch (err) {
      this.logger.warn({ err }, 'dns: onTransfer hook threw');
    }
    return frames;
  }

  private serve(msg: Buffer, req: XfrRequest, info: TransferInfo): Buffer[] {
    let signer: TsigSigner | null = null;
    const t = req.tsig;
    if (t) {
      const v = verifyRequest(msg, t, this.keys, this.nowSec());
      info.key = t.name.key;
      if (!v.ok) {
        info.rcode = RCODE_NOTAUTH;
        info.tsigError = v.error;
        const reply = xfrHeader(req.id, RCODE_NOTAUTH, msg, req);
        if (v.error === TSIG_ERROR.BADTIME && v.key) {
          const other = Buffer.alloc(6);
          other.writeUIntBE(this.nowSec(), 0, 6);
          return [new TsigSigner(v.key, t.mac, this.nowSec).sign(reply, v.error, other)];
        }
        return [unsignedErrorTsig(reply, t, v.error)];
      }
      signer = new TsigSigner(v.key, t.mac, this.nowSec);
    }
    const refuse = (rcode: number): Buffer[] => {
      info.rcode = rcode;
      const reply = xfrHeader(req.id, rcode, msg, req);
      return [signer ? signer.sign(reply) : reply];
    };
    if (!this.acl.allows(info.client, signer ? info.key : null)) return refuse(RCODE.REFUSED);
    const snap = this.snapshot();
    if (!snap) return refuse(RCODE.SERVFAIL);
    const zone = req.qname ? snap.model.zones.get(req.qname.key) : undefined;
    if (!zone || req.qclass !== 1) return refuse(RCODE_NOTAUTH);
    info.serial = snap.serial;
    const soa = zone.nodes.get(zone.apex)!.rrsets.get(TYPE.SOA)!.records[0]!;
    let records: Resource[];
    if (req.qtype === TYPE.IXFR) {
      if (req.clientSerial === null) return refuse(RCODE.FORMERR);
      records =
        this.ixfrRecords(zone.apex, soa, req.clientSerial, snap.serial, info) ?? axfrRecords(zone, soa);
      if (info.type === 'IXFR-AXFR') records = axfrRecords(zone, soa);
    } else records = axfrRecords(zone, soa);
    info.records = records.length;
    // The client now holds this base's copy (not after a bare "up to date" SOA: it keeps what it had).
    if (records.length > 1) this.journal.noteTransferred(info.client, zone.apex, snap.serial);
    const out = encodeXfrMessages(req, msg, records);
    return signer ? out.map((m) => signer.sign(m)) : out;
  }

  /** IXFR records (RFC 1995 §4), or null (and info.type = IXFR-AXFR) when only a whole zone will do. */
  private ixfrRecords(
    apex: string,
    soa: Resource,
    client: number,
    serial: number,
    info: TransferInfo,
  ): Resource[] | null {
    // Up to date (or ahead, which only a secondary of another primary can be): the SOA alone says so.
    if (!serialLessThan(client, serial)) return [soa];
    const d = this.journal.holdsOurs(info.client, apex, client)
      ? this.journal.difference(apex, client, serial)
      : null;
    if (!d) {
      info.type = 'IXFR-AXFR';
      return null;
    }
    const old = { ...soa, serial: client } as Resource;
    return [soa, old, ...d.deleted, soa, ...d.added, soa];
  }
}

/** Every record of the zone, SOA first and last (RFC 5936 §2.2). O(zone). */
function axfrRecords(
  zone: Snapshot['model']['zones'] extends Map<string, infer Z> ? Z : never,
  soa: Resource,
): Resource[] {
  const out: Resource[] = [soa];
  for (const node of zone.nodes.values())
    for (const rrset of node.rrsets.values()) {
      if (rrset.type === TYPE.SOA) continue;
      for (const r of rrset.records) out.push(r);
    }
  out.push(soa);
  return out;
}

function errorReply(msg: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  out[0] = msg[0] ?? 0;
  out[1] = msg[1] ?? 0;
  out[2] = 0x80 | ((msg[2] ?? 0) & 0x78);
  out[3] = rcode;
  return out;
}
