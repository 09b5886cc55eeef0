/**
 * Free port discovery for servers that cannot bind port 0 themselves (e.g. a DNS server that needs the
 * same number for UDP and TCP, or a child process given a port on its command line).
 * There is an unavoidable race between closing the probe socket and the real bind; prefer binding
 * port 0 directly wherever the server allows it. To narrow it, ports come from just below the kernel's
 * ephemeral range (Linux: /proc/sys/net/ipv4/ip_local_port_range), chosen at random: a port the kernel
 * handed out for port 0 could be given to an outgoing connection (a Redis client, a fetch) before the child
 * process binds it, and that happened (a browser test's demo: EADDRINUSE on its control port).
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { createServer } from 'node:net';

export type PortProto = 'tcp' | 'udp' | 'both';

const MAX_ATTEMPTS = 50;

function bindTcp(host: string, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') {
        server.close();
        reject(new Error(`freePort: unexpected TCP address ${String(addr)}`));
        return;
      }
      resolve({ port: addr.port, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

function bindUdp(host: string, port: number): Promise<{ port: number; close: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', ipv6Only: isIPv6(host) });
    socket.once('error', reject);
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject);
      socket.on('error', () => undefined);
      resolve({
        port: socket.address().port,
        close: () => new Promise((done) => socket.close(() => done())),
      });
    });
  });
}

/** The ports below the ephemeral range that freePort picks from, or null where the range is unknown. */
export function probeRange(): { from: number; to: number } | null {
  let low: number | undefined;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return null;
  }
  if (!Number.isInteger(low) || low - 1 < 4096) return null;
  return { from: Math.max(2048, low - 12_000), to: low - 1 };
}

const RANGE = probeRange();

async function bindable(host: string, port: number, proto: PortProto): Promise<boolean> {
  const binds = proto === 'both' ? [bindTcp, bindUdp] : [proto === 'tcp' ? bindTcp : bindUdp];
  const held: { close: () => Promise<void> }[] = [];
  try {
    for (const bind of binds) held.push(await bind(host, port));
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return false;
    throw err;
  } finally {
    for (const h of held) await h.close();
  }
}

/**
 * A port free now for `proto` (TCP, UDP or both) on `host`: from just below the ephemeral range when it is
 * known (see above), else the one the kernel chooses for port 0. Errors other than "in use" are thrown.
 */
export async function freePort(host = '127.0.0.1', proto: PortProto = 'tcp'): Promise<number> {
  if (RANGE) {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const port = RANGE.from + Math.floor(Math.random() * (RANGE.to - RANGE.from + 1));
      if (await bindable(host, port, proto)) return port;
    }
  }
  return kernelPort(host, proto);
}

/** Binds port 0, reads the port the kernel chose, closes. 'both' retries until the port is free for UDP and TCP. */
async function kernelPort(host: string, proto: PortProto): Promise<number> {
  if (proto === 'tcp' || proto === 'udp') {
    const probe = await (proto === 'tcp' ? bindTcp(host, 0) : bindUdp(host, 0));
    await probe.close();
    return probe.port;
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const tcp = await bindTcp(host, 0);
    try {
      const udp = await bindUdp(host, tcp.port);
      await udp.close();
      return tcp.port;
    } catch (err) {
      lastError = err;
    } finally {
      await tcp.close();
    }
  }
  throw new Error(`freePort: no port free for both UDP and TCP on ${host} after ${MAX_ATTEMPTS} attempts`, {
    cause: lastError,
  });
}
