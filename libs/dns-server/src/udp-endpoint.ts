/**
 * One UDP socket serving queries through a Responder, sending replies synchronously: node:dgram, or the
 * batched-I/O addon when dns.udpIo allows it and it loads (udp-batched.ts).
 */
import { TextSource } from './steer-pick.js';
import dgram from 'node:dgram';
import type { RemoteInfo } from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import cluster from 'node:cluster';
import type { LatencySampler } from './latency-sampler.js';
import { truncatedReply } from './rate-limit.js';
import type { ResponseRateLimiter } from './rate-limit.js';
import type { Logger } from '@understudy/core';
import type { IoGuard } from './rate-limited-warning.js';
import type { Responder } from './responder.js';
import { BatchedUdpSocket } from './udp-batched.js';
import { udpBindMode, udpIoChoice } from './udp-bind-mode.js';
import type { UdpBindMode, UdpIo } from './udp-bind-mode.js';
import { loadUdpAddon } from './udp-native.js';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/** For bind: the host may be a name. */
function bindLookup(hostname: string, options: unknown, callback: LookupCallback): void {
  const family = net.isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else dns.lookup(hostname, options as number, callback);
}

const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpEndpointOptions {
  /** dns.udpIo (default auto). */
  io?: UdpIo;
  /** Where the addon is loaded from instead of its build path (tests force a bad one). */
  addonPath?: string;
  /** Told which I/O path serves, once per bind. */
  logger?: Logger;
}

export class UdpEndpoint {
  /** Created by bind(): whether it gets SO_REUSEPORT depends on the port. */
  private sock: dgram.Socket | null = null;
  private batched: BatchedUdpSocket | null = null;
  private bound = false;
  /** How bind() bound the socket (see udp-bind-mode.ts), for diagnostics and tests. */
  mode: UdpBindMode | null = null;
  /** Which I/O serves the socket once bound; `ioReason` says why not batched. */
  io: 'dgram' | 'batched' | null = null;
  ioReason: string | null = null;
  /**
   * Views of the fast path's reply buffer by length, so a reply is sent without dgram slicing a new
   * Buffer per datagram (send with offset and length does). Dropped when the reply buffer changes.
   */
  private viewsOf: Buffer | null = null;
  /** Issue 14 part 3: the sender of the datagram being answered, read only for steered answers. */
  private readonly src = new TextSource();
  private views: (Buffer | undefined)[] = [];

  /**
   * dgram resolves every send address through dns.lookup, which answers IP literals on the next tick.
   * Once bound we only send to rinfo.address, a literal: answering at once makes send() reach the
   * kernel before it returns, so the fast path can reuse its reply buffer.
   */
  private readonly lookup = (hostname: string, options: unknown, callback: LookupCallback): void => {
    if (this.bound) callback(null, hostname, 0);
    else bindLookup(hostname, options, callback);
  };

  constructor(
    readonly host: string,
    private readonly responder: Responder,
    private readonly guard: IoGuard,
    private readonly sampler?: LatencySampler,
    private readonly limiter?: ResponseRateLimiter,
    private readonly options: UdpEndpointOptions = {},
  ) {}

  /** The dgram socket (tests); throws on the batched path, which has none. */
  get socket(): dgram.Socket {
    if (this.batched !== null) throw new Error(`the UDP socket on ${this.host} is batched, not dgram`);
    if (this.sock === null) throw new Error(`the UDP socket on ${this.host} is not bound yet`);
    return this.sock;
  }

  address(): { address: string; family: string; port: number } {
    return this.batched !== null ? this.batched.address() : this.socket.address();
  }

  private create(reusePort: boolean): dgram.Socket {
    const type = net.isIPv6(this.host) ? 'udp6' : 'udp4';
    const socket = dgram.createSocket({
      type,
      lookup: this.lookup,
      ipv6Only: type === 'udp6',
      // The default (~208 KiB) holds only a couple of hundred queued datagrams: a GC pause under load
      // would drop queries. Linux caps this at net.core.rmem_max.
      recvBufferSize: RECV_BUFFER_BYTES,
      // Only set when udpBindMode found dgram supports it: Node 20's types lack the option.
      ...(reusePort ? { reusePort: true } : {}),
    } as dgram.SocketOptions);
    // Before binding, bind() reports errors. After, they are sends that failed once send() had returned:
    // possibly one per datagram.
    socket.on('error', (err) => {
      if (this.bound) this.guard.udpSend.record({ err, host: this.host });
    });
    socket.on('message', this.onMessage);
    return socket;
  }

  bind(port: number): Promise<number> {
    if (this.sock !== null || this.batched !== null)
      return Promise.reject(new Error(`the UDP endpoint on ${this.host} is bound already`));
    const mode = udpBindMode({
      nodeVersion: process.versions.node,
      platform: process.platform,
      clusterWorker: cluster.isWorker,
      port,
    });
    this.mode = mode;
    const choice = udpIoChoice({
      io: this.options.io ?? 'auto',
      platform: process.platform,
      mode,
      hostIsIp: net.isIP(this.host) !== 0,
      addon: () => loadUdpAddon(this.options.addonPath),
    });
    if (choice.io === 'batched') return this.bindBatched(port, mode);
    this.ioReason = choice.reason;
    const socket = this.create(mode === 'reuse-port');
    this.sock = socket;
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      socket.once('error', onError);
      // 'shared': the cluster primary binds and hands every worker the same handle.
      socket.bind({ port, address: this.host, exclusive: mode !== 'shared' }, () => {
        socket.removeListener('error', onError);
        this.bound = true;
        this.io = 'dgram';
        const bound = socket.address().port;
        this.options.logger?.info(
          { host: this.host, port: bound, io: 'dgram', why: choice.reason },
          'dns: UDP served through node:dgram',
        );
        resolve(bound);
      });
    });
  }

  private bindBatched(port: number, mode: UdpBindMode): Promise<number> {
    const addon = loadUdpAddon(this.options.addonPath);
    if (!addon.ok) return Promise.reject(new Error(addon.reason)); // udpIoChoice loaded it already
    try {
      this.batched = BatchedUdpSocket.open(
        addon.addon,
        this.host,
        port,
        mode === 'reuse-port',
        RECV_BUFFER_BYTES,
        { responder: this.responder, guard: this.guard, sampler: this.sampler, limiter: this.limiter },
      );
    } catch (err) {
      // Bind errors carry the errno's code (EADDRINUSE...), as dgram's do: server.ts retries on them.
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    this.bound = true;
    this.io = 'batched';
    const bound = this.batched.address().port;
    this.options.logger?.info(
      { host: this.host, port: bound, io: 'batched' },
      'dns: UDP served through the batched recvmmsg/sendmmsg addon',
    );
    return Promise.resolve(bound);
  }

  close(): Promise<void> {
    if (this.batched !== null) {
      this.batched.close();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      try {
        if (this.sock === null) resolve();
        else this.sock.close(() => resolve());
      } catch {
        resolve(); // closed already
      }
    });
  }

  /** out[0, n) as a Buffer of length n, made once per length. */
  private view(out: Buffer, n: number): Buffer {
    if (this.viewsOf !== out) {
      this.viewsOf = out;
      this.views = new Array<Buffer | undefined>(out.length + 1).fill(undefined);
    }
    return (this.views[n] ??= out.subarray(0, n));
  }

  /**
   * Whatever a datagram holds, nothing thrown here may escape: an exception in a 'message' listener is
   * uncaught and ends the process.
   */
  private readonly onMessage = (msg: Buffer, rinfo: RemoteInfo): void => {
    // No reply can go to port 0 (send throws ERR_SOCKET_BAD_PORT); only forged or broken senders use it.
    if (rinfo.port === 0) {
      this.guard.udpPortZero.record({ address: rinfo.address });
      return;
    }
    const sampler = this.sampler;
    const t0 = sampler !== undefined && sampler.tick() ? performance.now() : -1;
    const r = this.responder;
    this.src.text = rinfo.address;
    const n = r.answerUdp(msg, this.src);
    if (n === 0) return;
    if (this.limiter !== undefined) {
      const verdict = this.limiter.check(rinfo.address);
      if (verdict === 'slip') this.sendTruncated(msg, rinfo);
      if (verdict !== 'send') return;
    }
    const socket = this.sock!;
    try {
      if (n > 0) {
        socket.send(this.view(r.fast.out, n), rinfo.port, rinfo.address);
        // A send the kernel could not take at once stays queued, pointing into the reply buffer:
        // leave that buffer to it and write the next replies into a fresh one.
        if (socket.getSendQueueCount() > 0) r.fast.out = Buffer.allocUnsafeSlow(r.fast.out.length);
      } else {
        socket.send(r.slowBuf, rinfo.port, rinfo.address);
      }
    } catch (err) {
      this.guard.udpSend.record({ err, address: rinfo.address, port: rinfo.port });
    }
    if (t0 >= 0) sampler!.record((performance.now() - t0) / 1000);
  };

  /** A limited reply that slips goes out as header + question with TC=1. */
  private sendTruncated(msg: Buffer, rinfo: RemoteInfo): void {
    const tc = truncatedReply(msg);
    if (tc === null) return;
    try {
      this.sock!.send(tc, rinfo.port, rinfo.address);
    } catch (err) {
      this.guard.udpSend.record({ err, address: rinfo.address, port: rinfo.port });
    }
  }
}
