/**
 * A local HTTP(S) origin whose failure mode can be switched at run time, for the demo, system tests
 * and benchmarks. It answers every path the same way.
 */
import { createServer as createHttpServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isIPv6 } from 'node:net';
import type { Socket } from 'node:net';

export type OriginMode = 'up' | 'down' | 'http-503' | 'timeout' | 'reset';

export interface OriginOptions {
  name: string;
  tls?: { certPem: string; keyPem: string };
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (default) = a random free port, kept across down/up and restart(). */
  port?: number;
  /** Status of a healthy answer. Default 200. */
  status?: number;
  /** Body of a healthy answer. Default "ok <name>\n". */
  body?: string;
}

export interface Origin {
  readonly name: string;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly mode: OriginMode;
  /** Requests received since start, in any mode. */
  readonly requests: number;
  /**
   * 'down' closes the listener (connection refused) and destroys open sockets; any other mode listens
   * again on the same port if needed. 'http-503' answers 503; 'timeout' accepts and never answers;
   * 'reset' resets the connection when a request arrives.
   */
  setMode(mode: OriginMode): Promise<void>;
  /** Drops every connection, closes, listens again on the same port, mode 'up'. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const MODES: readonly OriginMode[] = ['up', 'down', 'http-503', 'timeout', 'reset'];

class LocalOrigin implements Origin {
  readonly name: string;
  readonly host: string;
  private readonly server: Server;
  private readonly scheme: 'http' | 'https';
  private readonly status: number;
  private readonly body: string;
  /** Raw TCP sockets, keyed by peer address, so a TLS request can be reset at the TCP level. */
  private readonly sockets = new Map<string, Socket>();
  private currentMode: OriginMode = 'up';
  private boundPort: number;
  private listening = false;
  private stopped = false;
  private requestCount = 0;
  /** Serialises listen/close so overlapping setMode calls cannot interleave. */
  private chain: Promise<void> = Promise.resolve();

  constructor(opts: OriginOptions) {
    this.name = opts.name;
    this.host = opts.host ?? '127.0.0.1';
    this.boundPort = opts.port ?? 0;
    this.status = opts.status ?? 200;
    this.body = opts.body ?? `ok ${opts.name}\n`;
    this.scheme = opts.tls ? 'https' : 'http';
    const handler = (req: IncomingMessage, res: ServerResponse) => this.handle(req, res);
    this.server = opts.tls
      ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, handler)
      : createHttpServer(handler);
    this.server.on('connection', (socket: Socket) => this.track(socket));
    // Probes misbehave on purpose (aborted handshakes, resets): none of that may crash the origin.
    this.server.on('error', () => undefined);
    this.server.on('clientError', (_err: Error, socket: Socket) => socket.destroy());
    this.server.on('tlsClientError', (_err: Error, socket: Socket) => socket.destroy());
  }

  get port(): number {
    return this.boundPort;
  }

  get url(): string {
    const host = isIPv6(this.host) ? `[${this.host}]` : this.host;
    return `${this.scheme}://${host}:${this.boundPort}/`;
  }

  get mode(): OriginMode {
    return this.currentMode;
  }

  get requests(): number {
    return this.requestCount;
  }

  setMode(mode: OriginMode): Promise<void> {
    if (!MODES.includes(mode)) return Promise.reject(new Error(`origin ${this.name}: unknown mode ${mode}`));
    return this.serial(async () => {
      if (this.stopped) throw new Error(`origin ${this.name} is stopped`);
      this.currentMode = mode;
      if (mode === 'down') await this.close();
      else await this.listen();
    });
  }

  restart(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) throw new Error(`origin ${this.name} is stopped`);
      await this.close();
      this.currentMode = 'up';
      await this.listen();
    });
  }

  stop(): Promise<void> {
    return this.serial(async () => {
      this.stopped = true;
      await this.close();
    });
  }

  start(): Promise<void> {
    return this.serial(() => this.listen());
  }

  private serial(step: () => Promise<void>): Promise<void> {
    const next = this.chain.then(step);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.requestCount++;
    switch (this.currentMode) {
      case 'timeout':
        return; // hold the request open; close() destroys the socket
      case 'reset':
        this.reset(req);
        return;
      case 'http-503':
        this.answer(res, 503, `unavailable ${this.name}\n`);
        return;
      default:
        this.answer(res, this.status, this.body);
    }
  }

  private answer(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      'x-origin': this.name,
    });
    res.end(body);
  }

  private reset(req: IncomingMessage): void {
    const raw = this.sockets.get(peerKey(req.socket));
    const target = raw ?? req.socket;
    if (typeof target.resetAndDestroy === 'function') {
      try {
        target.resetAndDestroy();
        return;
      } catch {
        // fall through: some handle types cannot send RST
      }
    }
    target.destroy();
  }

  private track(socket: Socket): void {
    const key = peerKey(socket);
    this.sockets.set(key, socket);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      if (this.sockets.get(key) === socket) this.sockets.delete(key);
    });
  }

  private async listen(): Promise<void> {
    if (this.listening) return;
    if (this.stopped) throw new Error(`origin ${this.name} is stopped`);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(
          new Error(`origin ${this.name}: cannot listen on ${this.host}:${this.boundPort}: ${err.message}`, {
            cause: err,
          }),
        );
      this.server.once('error', onError);
      this.server.listen({ host: this.host, port: this.boundPort }, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const addr = this.server.address();
    if (addr !== null && typeof addr !== 'string') this.boundPort = addr.port;
    this.listening = true;
  }

  private async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets.values()) socket.destroy();
    this.sockets.clear();
    this.server.closeAllConnections();
    await closed;
  }
}

function peerKey(socket: Socket): string {
  return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
}

export async function startOrigin(opts: OriginOptions): Promise<Origin> {
  const origin = new LocalOrigin(opts);
  await origin.start();
  return origin;
}
