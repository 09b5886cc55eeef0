/**
 * Free port discovery for servers that cannot bind port 0 themselves (e.g. a DNS server that needs the
 * same number for UDP and TCP, or a child process given a port on its command line).
 * There is an unavoidable race between closing the probe socket and the real bind; prefer binding
 * port 0 directly wherever the server allows it.
 */
import { createSocket } from 'node:dgram';
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

/** Binds port 0, reads the port the kernel chose, closes. 'both' retries until the port is free for UDP and TCP. */
export async function freePort(host = '127.0.0.1', proto: PortProto = 'tcp'): Promise<number> {
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
