/**
 * One TCP listener (RFC 7766: pipelining, out-of-order-free replies, idle timeout) with the limits a
 * hostile client meets: a query-size cap checked on the length prefix, a deadline for a frame once
 * started (slow senders), an idle deadline, a cap per client address, a total cap that evicts the
 * least recently active connection rather than refusing newcomers, and a cap on unsent replies. Every
 * one of them destroys the socket: a half-close would leave it counted and its descriptor held
 * (issue #10: dns2's server only half-closed idle sockets, so 520 idle connections shut TCP off).
 */
import { TextSource } from './steer-pick.js';
import net from 'node:net';
import cluster from 'node:cluster';
import type { Logger } from '@understudy/core';
import { clientPrefix } from './client-prefix.js';
import type { IoGuard } from './rate-limited-warning.js';
import type { Responder } from './responder.js';
import { FrameReader } from './tcp-frames.js';
import { isTransferQuery } from './transfer-server.js';

/** Answers AXFR/IXFR requests (transfer-server.ts): one request, many reply messages. */
export interface TransferHandler {
  answer(msg: Buffer, client: string): Buffer[];
}

export interface TcpLimits {
  /** A connection with nothing received or sent for this long is destroyed. */
  idleTimeoutMs: number;
  /** A frame whose first octet arrived must be complete within this long. */
  frameTimeoutMs: number;
  /** Past this many, a new connection evicts the least recently active one. */
  maxConnections: number;
  /** Connections from one address (IPv6: one /64); more are closed at once. */
  maxConnectionsPerClient: number;
  /** A longer query frame closes the connection when its length prefix arrives. */
  maxQueryBytes: number;
  /** A client that stops reading while it keeps asking is cut off past this many queued bytes. */
  maxQueuedBytes: number;
}

/** Why connections were closed by a limit, since the endpoint started. */
export interface TcpLimitCounts {
  overClientCap: number;
  evicted: number;
  idle: number;
  frameTimeout: number;
  oversized: number;
}

interface Conn {
  socket: net.Socket;
  client: string;
  frames: FrameReader;
  frameTimer: NodeJS.Timeout | undefined;
  /** frames.completed when frameTimer was armed. */
  armedAt: number;
  /** Issue 14 part 3: the peer's address, for steering without an ECS subnet. */
  src: TextSource;
}

export class TcpEndpoint {
  private readonly server: net.Server;
  /** In order of last activity (accept or answered query): the first is the one to evict. */
  private readonly conns = new Map<net.Socket, Conn>();
  private readonly perClient = new Map<string, number>();
  readonly closedBy: TcpLimitCounts = {
    overClientCap: 0,
    evicted: 0,
    idle: 0,
    frameTimeout: 0,
    oversized: 0,
  };

  constructor(
    readonly host: string,
    private readonly responder: Responder,
    private readonly limits: TcpLimits,
    private readonly guard: IoGuard,
    logger: Logger,
    private readonly transfers?: TransferHandler,
  ) {
    // allowHalfOpen: a client may send its query and half-close; the reply still goes out, then we end.
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, (s) => this.accept(s));
    this.server.on('error', (err: Error) => logger.warn({ err, host }, 'dns: tcp server error'));
  }

  get connections(): number {
    return this.conns.size;
  }

  private accept(socket: net.Socket): void {
    socket.on('error', () => undefined); // resets and the like: 'close' follows and cleans up
    const client = clientPrefix(socket.remoteAddress ?? '', 32, 64);
    const open = this.perClient.get(client) ?? 0;
    if (open >= this.limits.maxConnectionsPerClient) {
      this.closedBy.overClientCap++;
      socket.destroy();
      return;
    }
    if (this.conns.size >= this.limits.maxConnections) {
      const oldest = this.conns.values().next().value;
      if (oldest) {
        this.closedBy.evicted++;
        this.drop(oldest);
      }
    }
    const conn: Conn = {
      socket,
      client,
      frames: new FrameReader(this.limits.maxQueryBytes, (msg) => this.onQuery(conn, msg)),
      frameTimer: undefined,
      armedAt: 0,
      src: new TextSource(),
    };
    conn.src.text = socket.remoteAddress ?? '';
    this.conns.set(socket, conn);
    this.perClient.set(client, open + 1);
    socket.setTimeout(this.limits.idleTimeoutMs, () => {
      this.closedBy.idle++;
      socket.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    socket.on('end', () => {
      // A half-close inside a frame can never complete it; otherwise every reply is written already.
      if (conn.frames.partial) socket.destroy();
      else socket.end();
    });
    socket.on('close', () => this.forget(conn));
  }

  private onData(conn: Conn, chunk: Buffer): void {
    if (!conn.frames.push(chunk)) {
      this.closedBy.oversized++;
      conn.socket.destroy();
      return;
    }
    const frames = conn.frames;
    if (!frames.partial) {
      clearTimeout(conn.frameTimer);
      conn.frameTimer = undefined;
    } else if (conn.frameTimer === undefined || conn.armedAt !== frames.completed) {
      clearTimeout(conn.frameTimer);
      conn.armedAt = frames.completed;
      conn.frameTimer = setTimeout(() => {
        this.closedBy.frameTimeout++;
        conn.socket.destroy();
      }, this.limits.frameTimeoutMs);
    }
  }

  private onQuery(conn: Conn, msg: Buffer): void {
    const socket = conn.socket;
    if (socket.destroyed) return;
    // Zone transfers (issue 15) take their own path: many messages, ACL and TSIG; only when configured.
    const replies =
      this.transfers && isTransferQuery(msg)
        ? this.transfers.answer(msg, socket.remoteAddress ?? '')
        : [this.responder.answerTcp(msg, conn.src)];
    if (replies.includes(null) || socket.writableLength > this.limits.maxQueuedBytes) {
      socket.destroy();
      return;
    }
    try {
      for (const reply of replies as Buffer[]) {
        const out = Buffer.allocUnsafe(reply.length + 2);
        out.writeUInt16BE(reply.length, 0);
        reply.copy(out, 2);
        socket.write(out);
      }
    } catch (err) {
      this.guard.tcpWrite.record({ err });
      socket.destroy();
      return;
    }
    // Most recently active goes last, furthest from eviction.
    this.conns.delete(socket);
    this.conns.set(socket, conn);
  }

  private drop(conn: Conn): void {
    conn.socket.destroy();
    this.forget(conn);
  }

  /** Idempotent: runs on eviction and again on the socket's 'close'. */
  private forget(conn: Conn): void {
    clearTimeout(conn.frameTimer);
    conn.frameTimer = undefined;
    if (!this.conns.delete(conn.socket)) return;
    const n = (this.perClient.get(conn.client) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(conn.client);
    else this.perClient.set(conn.client, n);
  }

  listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      // In a cluster worker (DnsWorkerPool) the handle comes from the primary and is shared.
      this.server.listen(
        { port, host: this.host, exclusive: !cluster.isWorker, ipv6Only: this.host.includes(':') },
        () => {
          this.server.removeListener('error', onError);
          const addr = this.server.address() as net.AddressInfo;
          resolve(addr.port);
        },
      );
    });
  }

  address(): net.AddressInfo | null {
    return this.server.address() as net.AddressInfo | null;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      for (const c of [...this.conns.values()]) this.drop(c);
    });
  }
}
