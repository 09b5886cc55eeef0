/**
 * DNS fuzzer: mutated queries over UDP and TCP against a DnsWorkerPool of one worker (a real process,
 * so a crash or a restart shows). After every chunk it checks: the worker is the same process, a valid
 * query is answered, the worker's RSS stays under a bound, and UDP replies stay small next to requests.
 *
 *   npm run fuzz:dns -- [udpMessages=1000000] [tcpMessages=udp/20]
 * test/dns/fuzz.test.ts runs a short pass (20,000 UDP, 1,000 TCP) in CI.
 */
import cluster from 'node:cluster';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { DnsWorkerPool } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';
import { fuzzSeeds, lcg, mutate, query } from '../bench/dns-crafted.js';
import { zoneState } from '../dns/harness.js';

const APEX = 'example.test';
const BURST = 100;

export interface FuzzReport {
  udpSent: number;
  udpReplies: number;
  tcpSent: number;
  tcpReplies: number;
  requestBytes: number;
  replyBytes: number;
  maxReply: number;
  maxRssMb: number;
  workerPids: number[];
  seconds: number;
}

export interface FuzzOptions {
  udp: number;
  tcp: number;
  /** Messages between checks. */
  chunk?: number;
  seed?: number;
  /** Fails the run past this worker RSS. */
  maxRssMb?: number;
  onChunk?: (r: FuzzReport) => void;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

function workerPid(): number {
  const ws = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
  if (ws.length !== 1) throw new Error(`expected one live worker, found ${ws.length}`);
  return ws[0]!.process.pid!;
}

/** A valid query gets its answer (retried: the socket queue may still hold a chunk's datagrams). */
async function validAnswered(port: number): Promise<void> {
  const sock = dgram.createSocket('udp4');
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const id = 0xf000 + attempt;
      const reply = await new Promise<Buffer | null>((resolve) => {
        const t = setTimeout(() => resolve(null), 2000);
        sock.once('message', (m) => {
          clearTimeout(t);
          resolve(m);
        });
        sock.send(query(id, `www.${APEX}`), port, '127.0.0.1');
      });
      if (reply && reply.readUInt16BE(0) === id && (reply[3]! & 0x0f) === 0 && reply.readUInt16BE(6) === 1)
        return;
    }
    throw new Error('a valid query went unanswered after a chunk');
  } finally {
    sock.close();
  }
}

/** `n` mutated frames pipelined on one connection, then a half-close; counts the framed replies. */
function tcpBatch(port: number, frames: Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    let replies = 0;
    const t = setTimeout(() => sock.destroy(), 5000);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        replies++;
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    sock.on('close', () => {
      clearTimeout(t);
      resolve(replies);
    });
    sock.end(
      Buffer.concat(frames.map((f) => Buffer.concat([Buffer.from([f.length >> 8, f.length & 0xff]), f]))),
    );
  });
}

export async function runFuzz(port: number, o: FuzzOptions): Promise<FuzzReport> {
  const t0 = performance.now();
  const rand = lcg(o.seed ?? 1);
  const seeds = fuzzSeeds(APEX);
  const chunk = o.chunk ?? 5000;
  const pid0 = workerPid();
  const r: FuzzReport = {
    udpSent: 0,
    udpReplies: 0,
    tcpSent: 0,
    tcpReplies: 0,
    requestBytes: 0,
    replyBytes: 0,
    maxReply: 0,
    maxRssMb: rssMb(pid0),
    workerPids: [pid0],
    seconds: 0,
  };
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m) => {
    r.udpReplies++;
    r.replyBytes += m.length;
    r.maxReply = Math.max(r.maxReply, m.length);
  });
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  const tcpPerChunk = Math.ceil((o.tcp * chunk) / Math.max(1, o.udp));
  try {
    while (r.udpSent < o.udp || r.tcpSent < o.tcp) {
      const n = Math.min(chunk, o.udp - r.udpSent);
      for (let i = 0; i < n; i += BURST) {
        const before = r.udpReplies;
        const b = Math.min(BURST, n - i);
        for (let j = 0; j < b; j++) {
          const m = mutate(seeds, rand);
          r.requestBytes += m.length;
          sock.send(m, port, '127.0.0.1');
        }
        // Paced: the next burst waits for most of this one's replies (or 50 ms), so the sockets' queues
        // do not overflow. The target is crashes and amplification, not a drop rate.
        const deadline = performance.now() + 50;
        while (r.udpReplies - before < b * 0.9 && performance.now() < deadline)
          await new Promise((res) => setTimeout(res, 1));
      }
      r.udpSent += n;
      const k = Math.min(tcpPerChunk, o.tcp - r.tcpSent);
      const batches: Promise<number>[] = [];
      for (let i = 0; i < k; i += 50)
        batches.push(
          tcpBatch(
            port,
            Array.from({ length: Math.min(50, k - i) }, () => mutate(seeds, rand)),
          ),
        );
      r.tcpReplies += (await Promise.all(batches)).reduce((a, b) => a + b, 0);
      r.tcpSent += k;
      await validAnswered(port);
      const pid = workerPid();
      if (pid !== pid0) r.workerPids.push(pid);
      r.maxRssMb = Math.max(r.maxRssMb, rssMb(pid));
      r.seconds = (performance.now() - t0) / 1000;
      o.onChunk?.(r);
      if (pid !== pid0) throw new Error(`the worker was replaced (pid ${pid0} → ${pid})`);
      if (o.maxRssMb !== undefined && r.maxRssMb > o.maxRssMb)
        throw new Error(`worker RSS ${r.maxRssMb.toFixed(0)} MB over ${o.maxRssMb} MB`);
    }
  } finally {
    sock.close();
  }
  return r;
}

/** A one-worker pool on a random loopback port, serving the test zone. */
export async function startTarget(): Promise<{ pool: DnsWorkerPool; port: number }> {
  const pool = new DnsWorkerPool({
    listen: [{ host: '127.0.0.1', port: 0 }],
    logger: recordingLogger(),
    workers: 1,
    exec: fileURLToPath(new URL('../dns/pool-worker.ts', import.meta.url)),
    execArgv: ['--import', 'tsx'],
  });
  pool.setZoneState(zoneState());
  await pool.start();
  return { pool, port: pool.addresses().udp[0]!.port };
}

export function describeReport(r: FuzzReport): string {
  return (
    `${r.udpSent} UDP (${r.udpReplies} replies) + ${r.tcpSent} TCP (${r.tcpReplies} replies) in ${r.seconds.toFixed(1)} s ` +
    `= ${Math.round((r.udpSent + r.tcpSent) / r.seconds)} msg/s; reply/request bytes (UDP) ${(r.replyBytes / r.requestBytes).toFixed(2)}, ` +
    `largest reply ${r.maxReply} B; worker RSS max ${r.maxRssMb.toFixed(0)} MB; worker pids ${r.workerPids.join(',')}`
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const udp = Number(process.argv[2] ?? 1_000_000);
  const tcp = Number(process.argv[3] ?? Math.ceil(udp / 20));
  const { pool, port } = await startTarget();
  try {
    const r = await runFuzz(port, {
      udp,
      tcp,
      chunk: 20_000,
      maxRssMb: 400,
      onChunk: (x) => console.log(`  ${describeReport(x)}`),
    });
    console.log(`done: ${describeReport(r)}`);
    if (r.replyBytes / r.requestBytes > 4) throw new Error('reply/request byte ratio over 4');
  } finally {
    await pool.close();
  }
}
