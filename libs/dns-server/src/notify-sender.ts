/**
 * NOTIFY (RFC 1996) to the configured secondaries on every new serial: one UDP message per (zone,
 * secondary), signed with TSIG when a key is set, retried with doubling backoff until the secondary
 * acknowledges it (or a newer serial replaces it), and at most one per secondary per minInterval so a
 * burst of serials becomes one NOTIFY for the last.
 */
import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from '@understudy/core';
import { TsigSigner, verifyReply } from './tsig.js';
import type { TsigKey } from './tsig.js';
import { nameToWire } from './wire.js';
import { parseXfrMessage } from './xfr-wire.js';

const OPCODE_NOTIFY = 4;
const TYPE_SOA = 6;
const CLASS_IN = 1;

export interface NotifyTarget {
  host: string;
  port: number;
  key: TsigKey | null;
}

export interface NotifyEvent {
  target: string;
  zone: string;
  serial: number;
  attempt: number;
}

export interface NotifySenderOptions {
  targets: NotifyTarget[];
  zones: string[];
  logger: Logger;
  retryMs: number;
  retryMaxMs: number;
  minIntervalMs: number;
  onSent?: (e: NotifyEvent) => void;
  onAcked?: (e: NotifyEvent & { ms: number }) => void;
}

interface Pending {
  target: NotifyTarget;
  label: string;
  zone: string;
  serial: number;
  attempt: number;
  id: number;
  mac: Buffer | null;
  firstSentAt: number;
  lastSentAt: number;
  timer: NodeJS.Timeout | undefined;
}

/** A NOTIFY message: AA set, the zone's SOA as the question (RFC 1996 §3.7). */
export function notifyMessage(id: number, zone: string): Buffer {
  const q = nameToWire(zone);
  const out = Buffer.alloc(12 + q.length + 4);
  out.writeUInt16BE(id, 0);
  out[2] = (OPCODE_NOTIFY << 3) | 0x04;
  out.writeUInt16BE(1, 4);
  q.copy(out, 12);
  out.writeUInt16BE(6, 12 + q.length);
  out.writeUInt16BE(1, 14 + q.length);
  return out;
}

export class NotifySender {
  private readonly sockets = new Map<4 | 6, dgram.Socket>();
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(private readonly opts: NotifySenderOptions) {}

  /** A new serial is served: tell every secondary about every zone. */
  notify(serial: number): void {
    if (this.closed) return;
    for (const target of this.opts.targets)
      for (const zone of this.opts.zones) {
        const label = `${target.host}:${target.port}`;
        const k = `${label}|${zone}`;
        const prev = this.pending.get(k);
        if (prev?.serial === serial) continue;
        clearTimeout(prev?.timer);
        const p: Pending = {
          target,
          label,
          zone,
          serial,
          attempt: 0,
          id: 0,
          mac: null,
          firstSentAt: 0,
          lastSentAt: prev?.lastSentAt ?? 0,
          timer: undefined,
        };
        this.pending.set(k, p);
        const wait = p.lastSentAt + this.opts.minIntervalMs - Date.now();
        if (wait > 0) {
          p.timer = setTimeout(() => this.send(p), wait);
          p.timer.unref();
        } else this.send(p);
      }
  }

  private socket(host: string): dgram.Socket {
    const family = isIP(host) === 6 ? 6 : 4;
    let s = this.sockets.get(family);
    if (!s) {
      s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
      s.on('error', (err) => this.opts.logger.warn({ err }, 'dns: notify socket error'));
      s.on('message', (msg, rinfo) => this.onReply(msg, `${rinfo.address}:${rinfo.port}`));
      s.unref();
      this.sockets.set(family, s);
    }
    return s;
  }

  private send(p: Pending): void {
    if (this.closed || this.pending.get(`${p.label}|${p.zone}`) !== p) return;
    p.attempt++;
    p.id = randomInt(0x10000);
    let msg = notifyMessage(p.id, p.zone);
    if (p.target.key) {
      msg = new TsigSigner(p.target.key, null, () => Math.floor(Date.now() / 1000)).sign(msg);
      p.mac = parseXfrMessage(msg).tsig!.mac;
    }
    const now = Date.now();
    if (p.attempt === 1) p.firstSentAt = now;
    p.lastSentAt = now;
    this.socket(p.target.host).send(msg, p.target.port, p.target.host, (err) => {
      if (err) this.opts.logger.warn({ err, target: p.label }, 'dns: notify send failed');
    });
    this.hook(() =>
      this.opts.onSent?.({ target: p.label, zone: p.zone, serial: p.serial, attempt: p.attempt }),
    );
    const backoff = Math.min(this.opts.retryMaxMs, this.opts.retryMs * 2 ** Math.min(p.attempt - 1, 20));
    p.timer = setTimeout(() => this.send(p), backoff);
    p.timer.unref();
  }

  private onReply(msg: Buffer, from: string): void {
    let reply;
    try {
      reply = parseXfrMessage(msg);
    } catch {
      return; // not for us, or broken: the retry timer keeps going
    }
    // An ack echoes the NOTIFY (RFC 1996 §4.7): same ID, opcode and question (zone, SOA, IN), from the
    // address and port notified (the pending key), QR set; anything else leaves the retries running.
    if (!reply.qr || reply.opcode !== OPCODE_NOTIFY || !reply.qname) return;
    if (reply.qtype !== TYPE_SOA || reply.qclass !== CLASS_IN) return;
    const p = this.pending.get(`${from}|${reply.qname.key}`);
    if (!p || p.id !== reply.id || p.attempt < 0) return;
    if (p.target.key && (!reply.tsig || !verifyReply(msg, reply.tsig, p.target.key, p.mac!))) {
      this.opts.logger.warn(
        { target: from, zone: p.zone, rcode: reply.rcode },
        'dns: notify reply failed TSIG',
      );
      return;
    }
    if (reply.rcode !== 0) {
      this.opts.logger.warn({ target: from, zone: p.zone, rcode: reply.rcode }, 'dns: notify refused');
      return;
    }
    clearTimeout(p.timer);
    p.timer = undefined;
    p.attempt = -p.attempt; // acknowledged: kept only for lastSentAt (rate limit)
    const ms = Date.now() - p.firstSentAt;
    this.hook(() =>
      this.opts.onAcked?.({ target: p.label, zone: p.zone, serial: p.serial, attempt: -p.attempt, ms }),
    );
  }

  private hook(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.opts.logger.warn({ err }, 'dns: notify hook threw');
    }
  }

  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const s of this.sockets.values()) s.close();
    this.sockets.clear();
  }
}
