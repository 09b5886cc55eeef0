import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, probeRange } from './ports.js';

async function canBindTcp(host: string, port: number): Promise<boolean> {
  const server = createServer();
  server.listen({ host, port, exclusive: true });
  const [event] = await Promise.race([once(server, 'listening').then(() => ['ok']), once(server, 'error')]);
  if (event === 'ok') await new Promise<void>((r) => server.close(() => r()));
  return event === 'ok';
}

async function canBindUdp(host: string, port: number): Promise<boolean> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.bind({ address: host, port, exclusive: true });
  const [event] = await Promise.race([once(socket, 'listening').then(() => ['ok']), once(socket, 'error')]);
  if (event === 'ok') await new Promise<void>((r) => socket.close(() => r()));
  return event === 'ok';
}

describe('freePort', () => {
  it('returns a bindable TCP port by default', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65_536);
    expect(await canBindTcp('127.0.0.1', port)).toBe(true);
  });

  it('returns a bindable UDP port', async () => {
    const port = await freePort('127.0.0.1', 'udp');
    expect(await canBindUdp('127.0.0.1', port)).toBe(true);
  });

  it('returns a port free for both UDP and TCP, on IPv6 too', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const port = await freePort(host, 'both');
      expect(await canBindUdp(host, port)).toBe(true);
      expect(await canBindTcp(host, port)).toBe(true);
    }
  });

  it('does not return a port that is in use', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const taken = (server.address() as { port: number }).port;
      expect(await canBindTcp('127.0.0.1', taken)).toBe(false);
      for (let i = 0; i < 20; i++) expect(await freePort()).not.toBe(taken);
    } finally {
      server.close();
    }
  });

  it('picks ports below the ephemeral range, which outgoing connections take their local ports from', async () => {
    const range = probeRange();
    // Linux always has the range; elsewhere the kernel's port 0 choice is all there is.
    if (process.platform === 'linux') expect(range).not.toBeNull();
    if (!range) return;
    for (let i = 0; i < 20; i++) {
      const port = await freePort('127.0.0.1', i % 2 ? 'both' : 'tcp');
      expect(port).toBeGreaterThanOrEqual(range.from);
      expect(port).toBeLessThanOrEqual(range.to);
    }
  });

  it('fails clearly on an address it cannot bind', async () => {
    await expect(freePort('192.0.2.1')).rejects.toThrow(/EADDRNOTAVAIL/);
  });
});
