/**
 * One TCP listener: dns2's TCPServer does the RFC 7766 framing, pipelining and idle timeout; this adds
 * the limits it lacks (connection count, query size, bytes queued per connection) and a close that
 * ends every connection.
 */
import type net from 'node:net';
import cluster from 'node:cluster';
import type { Logger } from '@understudy/core';
import { createTcpServer } from './dns2.js';
import type { Message } from './dns2.js';
import type { IoGuard } from './rate-limited-warning.js';
import type { Responder } from './responder.js';
import { FrameWatch } from './tcp-frames.js';

export interface TcpLimits {
  idleTimeoutMs: number;
  maxConnections: number;
  /** A longer query frame closes the connection when its length prefix arrives. */
  maxQueryBytes: number;
  /** A client that stops reading while it keeps asking is cut off past this many queued bytes. */
  maxQueuedBytes: number;
}

export class TcpEndpoint {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(
    readonly host: string,
    responder: Responder,
    limits: TcpLimits,
    guard: IoGuard,
    logger: Logger,
  ) {
    const server = createTcpServer({ idleTimeout: limits.idleTimeoutMs });
    server.maxConnections = limits.maxConnections;
    server.on('error', (err: Error) => logger.warn({ err, host }, 'dns: tcp server error'));
    server.on('requestError', (err: Error) => logger.debug({ err: err.message }, 'dns: tcp request dropped'));
    server.on('connection', (socket: net.Socket) => this.watch(socket, limits.maxQueryBytes));
    server.on('request', (req: Message, send: (b: Buffer) => unknown, client: unknown) => {
      const socket = client as net.Socket;
      const reply = responder.answerTcp(req);
      if (reply === null || socket.writableLength > limits.maxQueuedBytes) {
        socket.destroy();
        return;
      }
      try {
        void send(reply);
      } catch (err) {
        guard.tcpWrite.record({ err });
        socket.destroy();
      }
    });
    this.server = server;
  }

  /**
   * dns2 registered its 'readable' reader first, so the stream stays paused and 'data' only shows us
   * each chunk that reader takes: we see the same bytes, in order, without consuming any.
   */
  private watch(socket: net.Socket, maxQueryBytes: number): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    const frames = new FrameWatch(maxQueryBytes);
    socket.on('data', (chunk: Buffer) => {
      if (!frames.push(chunk)) socket.destroy();
    });
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
      for (const s of this.sockets) s.destroy();
    });
  }
}
