/**
 * Turns one query into one reply against the current snapshot: fast path first (UDP only), then the
 * slow path. Holds the snapshot reference that setZoneState swaps in one assignment.
 */
import type { DnsIdentityConfig, Logger } from '@understudy/core';
import { RCODE } from './constants.js';
import { FastPath } from './fast-path.js';
import { nsidOctets } from './identity.js';
import type { ServerIdentity } from './identity.js';
import { MAX_QUERY } from './query-parse.js';
import type { QueryCounter } from './query-counter.js';
import { answerQuery } from './slow-path.js';
import type { SlowReply, Transport } from './slow-path.js';
import type { Snapshot } from './snapshot.js';
import type { ClientSource } from './steer-pick.js';

export class Responder {
  snapshot: Snapshot | null = null;
  readonly fast: FastPath;
  /** The slow path's last UDP reply, valid right after answerUdp returned -1. */
  slowBuf: Buffer = Buffer.alloc(0);
  private warnedEmpty = false;
  private readonly identity: ServerIdentity;

  constructor(
    private readonly payloadSize: number,
    private readonly logger: Logger,
    private readonly counter?: QueryCounter,
    identity?: DnsIdentityConfig,
  ) {
    this.fast = new FastPath(payloadSize);
    this.identity = {
      id: identity?.id ?? null,
      nsid: nsidOctets(identity?.nsid),
      version: identity?.version ?? null,
    };
  }

  /**
   * Answers a datagram. Returns n > 0 when the reply is fast.out[0, n), -1 when it is slowBuf,
   * 0 when the datagram is dropped.
   */
  answerUdp(msg: Buffer, src: ClientSource | null = null): number {
    // Nothing a query needs is this long; not even worth a FORMERR.
    if (msg.length > MAX_QUERY) return 0;
    const snap = this.snapshot;
    if (snap !== null) {
      const n = this.fast.answer(msg, snap.table, src);
      if (n > 0) {
        if (this.counter !== undefined) this.counter.add(false, this.fast.rcode);
        return n;
      }
    }
    const reply = this.slow(msg, 'udp', snap, src);
    if (reply === null) return 0;
    this.slowBuf = reply.buf;
    return -1;
  }

  /** Answers one TCP frame; null means drop it (and the connection). */
  answerTcp(msg: Buffer, src: ClientSource | null = null): Buffer | null {
    return this.slow(msg, 'tcp', this.snapshot, src)?.buf ?? null;
  }

  private slow(
    msg: Buffer,
    transport: Transport,
    snap: Snapshot | null,
    src: ClientSource | null,
  ): SlowReply | null {
    let reply: SlowReply | null;
    const fast = this.fast;
    try {
      reply = answerQuery(msg, transport, snap, {
        payloadSize: this.payloadSize,
        identity: this.identity,
        ecs: fast.ecs,
        steer: fast.steer,
        src,
      });
    } catch (err) {
      // Network input reaching code with a bug costs one query, never the server.
      this.logger.warn({ err }, 'dns: query failed in the slow path; dropped');
      return null;
    }
    if (reply === null) return null;
    if (snap === null && reply.rcode === RCODE.SERVFAIL && !this.warnedEmpty) {
      this.warnedEmpty = true;
      this.logger.warn('dns: query before the first zone state; answering SERVFAIL');
    }
    if (this.counter !== undefined) this.counter.add(transport === 'tcp', reply.rcode);
    return reply;
  }
}
