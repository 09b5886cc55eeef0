/** Check configs with every default filled, and small real servers that record what they receive. */
import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { DnsCheckConfig, HttpCheckConfig, TcpCheckConfig } from '@understudy/core';

export function httpCheckConfig(over: Partial<HttpCheckConfig> = {}): HttpCheckConfig {
  return {
    id: 'web',
    type: 'http',
    host: '127.0.0.1',
    port: 80,
    path: '/health',
    method: 'GET',
    headers: {},
    hostHeader: null,
    sni: null,
    expectStatus: [{ from: 200, to: 299 }],
    body: null,
    tls: { verify: true, caFile: null, minCertDays: null },
    maxBodyBytes: 65_536,
    timeout: 3_000,
    interval: 10_000,
    fall: 3,
    rise: 2,
    regions: ['eu'],
    quorum: { kind: 'majority' },
    ...over,
  };
}

export function tcpCheckConfig(over: Partial<TcpCheckConfig> = {}): TcpCheckConfig {
  return {
    id: 'tcp',
    type: 'tcp',
    host: '127.0.0.1',
    port: 1,
    timeout: 3_000,
    interval: 10_000,
    fall: 3,
    rise: 2,
    regions: ['eu'],
    quorum: { kind: 'majority' },
    ...over,
  };
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** SNI the client sent; false when none (or plain HTTP). */
  servername: string | false;
}

export interface RecordingServer {
  port: number;
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** An HTTP(S) server that records each request, then hands it to `handler` (default: 200 "ok"). */
export async function recordingServer(opts: {
  tls?: { certPem: string; keyPem: string };
  host?: string;
  handler?: Handler;
}): Promise<RecordingServer> {
  const seen: SeenRequest[] = [];
  const handler: Handler = opts.handler ?? ((_req, res) => res.end('ok'));
  const onRequest: Handler = (req, res) => {
    const sock = req.socket as Partial<TLSSocket>;
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      servername: typeof sock.servername === 'string' ? sock.servername : false,
    });
    handler(req, res);
  };
  const server: Server = opts.tls
    ? createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem }, onRequest)
    : createHttpServer(onRequest);
  return listen(server, opts.host, seen);
}

/** A TCP server that runs `onConnection` with the raw socket, for malformed or truncated HTTP. */
export async function rawServer(onConnection: (socket: Socket) => void): Promise<RecordingServer> {
  const server = createNetServer((socket) => {
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  return listen(server, undefined, []);
}

async function listen(
  server: Server | ReturnType<typeof createNetServer>,
  host: string | undefined,
  seen: SeenRequest[],
): Promise<RecordingServer> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.once('close', () => sockets.delete(s));
  });
  server.on('error', () => undefined);
  server.on('tlsClientError', () => undefined);
  server.listen(0, host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export function dnsCheckConfig(over: Partial<DnsCheckConfig> = {}): DnsCheckConfig {
  return {
    id: 'dns',
    type: 'dns',
    host: '127.0.0.1',
    port: 53,
    name: 'www.example.test.',
    recordType: 'A',
    transport: 'udp',
    expectRcode: 'NOERROR',
    expectAnswers: null,
    timeout: 2_000,
    interval: 10_000,
    fall: 3,
    rise: 2,
    regions: ['eu'],
    quorum: { kind: 'majority' },
    ...over,
  };
}
