/**
 * A real redis-server on a random loopback port, for tests and benchmarks: its own temp data dir, no RDB
 * snapshots, optional AOF, password and TLS. restart() keeps the port and the data dir, so clients that
 * reconnect with backoff find it again; kill() is a crash (SIGKILL), pause()/resume() a stalled server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface RedisTlsFiles {
  certPem: string;
  keyPem: string;
  /** CA that signed certPem; clients must trust it. */
  caPem: string;
}

export interface StartRedisOptions {
  password?: string;
  /** Serve TLS only (the plain port is disabled); the URL is rediss://. */
  tls?: RedisTlsFiles;
  /** AOF on, so kill() + restart() keeps acknowledged writes. Default false. */
  appendonly?: boolean;
  /** AOF fsync policy when appendonly is on. Default everysec (infra/redis/redis.conf uses always). */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** Path of the binary. Default redis-server on PATH. */
  binary?: string;
  /** How long start and restart may take. Default 15 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  /** redis://[:password@]127.0.0.1:port (rediss:// with tls). */
  url: string;
  port: number;
  dir: string;
  /** SIGTERM, wait for exit, remove the data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit; the data dir stays, for restart(). */
  kill(): Promise<void>;
  /** Stops the server if it runs (SIGTERM), then starts it again on the same port and data dir. */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its sockets but answers nothing. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** redis-server's output so far, for failure messages. */
  output(): string;
}

const BINARY = 'redis-server';

/** Servers still running; killed if the test process exits without stopping them (a crashed worker). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(proc: ChildProcess): void {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const p of live) p.kill('SIGKILL');
  });
}

interface Running {
  proc: ChildProcess;
  exited: Promise<void>;
}

export async function startRedis(opts: StartRedisOptions = {}): Promise<RedisServer> {
  const dir = await mkdtemp(join(tmpdir(), 'understudy-redis-'));
  const port = await freePort('127.0.0.1', 'tcp');
  const args = await serverArgs(dir, port, opts);
  const timeoutMs = opts.startTimeoutMs ?? 15_000;
  let log = '';
  let current: Running | null = null;
  let removed = false;

  const launch = async (): Promise<void> => {
    const proc = spawn(opts.binary ?? BINARY, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-20_000)));
    const exited = new Promise<void>((resolve) => {
      proc.on('exit', () => resolve());
      proc.on('error', (err) => {
        log += `spawn error: ${err.message}\n`;
        resolve();
      });
    });
    track(proc);
    current = { proc, exited };
    await waitUntilPong(port, opts, current, timeoutMs, () => log);
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const running = current;
    current = null;
    if (!running || running.proc.exitCode !== null || running.proc.signalCode !== null) return;
    if (running.proc.signalCode === null) running.proc.kill('SIGCONT');
    running.proc.kill(signal);
    await running.exited;
  };

  await launch().catch(async (err: unknown) => {
    await halt('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw err;
  });

  const scheme = opts.tls ? 'rediss' : 'redis';
  const auth = opts.password === undefined ? '' : `:${encodeURIComponent(opts.password)}@`;
  return {
    url: `${scheme}://${auth}127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      await halt('SIGTERM');
      if (!removed) {
        removed = true;
        await rm(dir, { recursive: true, force: true });
      }
    },
    kill: () => halt('SIGKILL'),
    async restart() {
      if (removed) throw new Error('redis-server: restart() after stop()');
      await halt('SIGTERM');
      await launch();
    },
    pause() {
      current?.proc.kill('SIGSTOP');
    },
    resume() {
      current?.proc.kill('SIGCONT');
    },
    output: () => log,
  };
}

async function serverArgs(dir: string, port: number, opts: StartRedisOptions): Promise<string[]> {
  const args = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--daemonize', 'no'];
  args.push('--appendonly', opts.appendonly ? 'yes' : 'no', '--maxmemory-policy', 'noeviction');
  if (opts.appendonly) args.push('--appendfsync', opts.appendfsync ?? 'everysec');
  if (opts.password !== undefined) args.push('--requirepass', opts.password);
  if (opts.tls) {
    await writeFile(join(dir, 'tls.crt'), opts.tls.certPem);
    await writeFile(join(dir, 'tls.key'), opts.tls.keyPem, { mode: 0o600 });
    await writeFile(join(dir, 'ca.crt'), opts.tls.caPem);
    args.push('--port', '0', '--tls-port', String(port), '--tls-auth-clients', 'no');
    args.push('--tls-cert-file', join(dir, 'tls.crt'), '--tls-key-file', join(dir, 'tls.key'));
    args.push('--tls-ca-cert-file', join(dir, 'ca.crt'));
  } else {
    args.push('--port', String(port));
  }
  return args;
}

/** Polls PING until redis-server answers PONG (not LOADING): only then is it ready for clients. */
async function waitUntilPong(
  port: number,
  opts: StartRedisOptions,
  running: Running,
  timeoutMs: number,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (running.proc.exitCode !== null || running.proc.signalCode !== null) {
      throw new Error(`redis-server exited during start on port ${port}:\n${log()}`);
    }
    if (await pings(port, opts)) return;
    if (Date.now() > deadline) {
      throw new Error(`redis-server did not answer PING on port ${port} within ${timeoutMs} ms:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

function pings(port: number, opts: StartRedisOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = opts.tls
      ? tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false }) // liveness only
      : createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      const auth = opts.password === undefined ? '' : command(['AUTH', opts.password]);
      socket.write(auth + command(['PING']));
    });
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('+PONG')) done(true);
      else if (reply.includes('-') && reply.endsWith('\r\n')) done(false);
    });
    socket.once('error', () => done(false));
  });
}

/** One RESP command (arrays of bulk strings), so passwords with spaces or quotes go through unchanged. */
function command(parts: string[]): string {
  return `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`;
}
