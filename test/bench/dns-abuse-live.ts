/** Traffic for the live part of the abuse benchmark: legitimate UDP/TCP clients, crafted floods. */
import dgram from 'node:dgram';
import net from 'node:net';
import { lcg, legitName, manyRecords, query } from './dns-crafted.js';

export interface LegitStats {
  sent: number;
  /** Answer times in ms of the queries answered. */
  latencies: number[];
  failures: number;
}

const newStats = (): LegitStats => ({ sent: 0, latencies: [], failures: 0 });

/** `rate` UDP queries per second from 127.0.0.1 until stop(); resolves 2 s after, counting the lost. */
export function legitUdp(port: number, apex: string, rate: number): { stop: () => Promise<LegitStats> } {
  const s = newStats();
  const pending = new Map<number, number>();
  const sock = dgram.createSocket('udp4');
  sock.on('message', (m) => {
    const t0 = pending.get(m.readUInt16BE(0));
    if (t0 === undefined) return;
    pending.delete(m.readUInt16BE(0));
    s.latencies.push(performance.now() - t0);
  });
  sock.bind(0, '127.0.0.1');
  let id = 0;
  const timer = setInterval(() => {
    id = (id + 1) & 0xffff;
    pending.set(id, performance.now());
    s.sent++;
    sock.send(query(id, legitName(id, apex)), port, '127.0.0.1');
  }, 1000 / rate);
  return {
    stop: async () => {
      clearInterval(timer);
      await new Promise((r) => setTimeout(r, 2000));
      sock.close();
      s.failures = pending.size;
      return s;
    },
  };
}

/** One TCP query on a fresh connection from 127.0.0.1: its time in ms, or null after 2 s. */
function tcpOnce(port: number, msg: Buffer): Promise<number | null> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const sock = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' });
    let buf = Buffer.alloc(0);
    const done = (v: number | null): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), 2000);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(performance.now() - t0);
    });
    sock.write(Buffer.concat([Buffer.from([0, msg.length]), msg]));
  });
}

export function legitTcp(port: number, apex: string, rate: number): { stop: () => Promise<LegitStats> } {
  const s = newStats();
  const inflight: Promise<void>[] = [];
  let id = 0;
  const timer = setInterval(() => {
    s.sent++;
    id++;
    inflight.push(
      tcpOnce(port, query(id, legitName(id, apex))).then((ms) => {
        if (ms === null) s.failures++;
        else s.latencies.push(ms);
      }),
    );
  }, 1000 / rate);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inflight);
      return s;
    },
  };
}

/** Crafted UDP datagrams from `sources` addresses at about `bytesPerSecond`; returns the bytes sent. */
export function craftedUdp(
  port: number,
  apex: string,
  sources: string[],
  bytesPerSecond: number,
): { stop: () => { bytes: number; datagrams: number } } {
  const rand = lcg(10);
  const kinds = [
    manyRecords(65_000, apex), // oversized: dropped unread
    manyRecords(4000, apex), // many answer records: FORMERR from the header
    manyRecords(507, apex, 'additional'), // the 507-octet shape: FORMERR from the header
  ];
  const socks = sources.map((a) => {
    const s = dgram.createSocket('udp4');
    s.on('error', () => undefined);
    s.on('message', () => undefined);
    s.bind(0, a);
    return s;
  });
  let bytes = 0;
  let datagrams = 0;
  const tickMs = 10;
  const perTick = (bytesPerSecond * tickMs) / 1000;
  let budget = 0;
  let n = 0;
  const timer = setInterval(() => {
    budget += perTick;
    while (budget > 0) {
      const r = n++ % 10;
      // 60 % of the bytes in 65 KB datagrams, the rest in 4 KB, 507-octet and random ones.
      const msg =
        r < 1
          ? kinds[0]!
          : r < 5
            ? kinds[1]!
            : r < 8
              ? kinds[2]!
              : Buffer.from(Array.from({ length: 12 + (rand() % 500) }, () => rand() & 0xff));
      socks[n % socks.length]!.send(msg, port, '127.0.0.1');
      budget -= msg.length;
      bytes += msg.length;
      datagrams++;
    }
  }, tickMs);
  return {
    stop: () => {
      clearInterval(timer);
      for (const s of socks) s.close();
      return { bytes, datagrams };
    },
  };
}

/**
 * Connections that hold a slot and never finish: idle ones (no octet) and half frames (a prefix and
 * 3 octets). `perSource` over the per-client cap, more sources than fill the table. Each one closed
 * reconnects after 250 ms.
 */
export function tcpFlood(port: number, sources: string[], perSource: number): { stop: () => number } {
  let running = true;
  let opened = 0;
  const live = new Set<net.Socket>();
  const open = (source: string, partial: boolean): void => {
    if (!running) return;
    opened++;
    const s = net.connect({ port, host: '127.0.0.1', localAddress: source, allowHalfOpen: true });
    live.add(s);
    s.on('error', () => undefined);
    s.on('connect', () => {
      if (partial) s.write(Buffer.from([0, 40, 1, 2, 3]));
    });
    let again = false;
    const reopen = (): void => {
      if (again) return;
      again = true;
      setTimeout(() => open(source, partial), 250);
    };
    // The server's FIN: hold our side open a while longer (a server that only half-closed would keep
    // counting the connection), but try a new one already.
    s.on('end', () => {
      reopen();
      setTimeout(() => s.destroy(), 2000);
    });
    s.on('close', () => {
      live.delete(s);
      reopen();
    });
  };
  sources.forEach((src, i) => {
    for (let k = 0; k < perSource; k++) open(src, i % 2 === 1);
  });
  return {
    stop: () => {
      running = false;
      for (const s of live) s.destroy();
      return opened;
    },
  };
}
