import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedis } from './redis-server.js';

/** Sends commands as RESP arrays and returns the raw reply text once `until` matches (or the socket ends). */
function send(port: number, commands: string[][], until: RegExp, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(reply || 'TIMEOUT');
    }, timeoutMs);
    socket.once('connect', () => {
      for (const parts of commands) {
        socket.write(
          `*${parts.length}\r\n${parts.map((p) => `$${Buffer.byteLength(p)}\r\n${p}\r\n`).join('')}`,
        );
      }
    });
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (until.test(reply)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(reply);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

describe('startRedis', () => {
  it('answers PING on a random port, keeps AOF data across kill + restart, and cleans up on stop', async () => {
    const redis = await startRedis({ appendonly: true });
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(await send(redis.port, [['PING']], /PONG/)).toContain('+PONG');
      await send(
        redis.port,
        [
          ['CONFIG', 'SET', 'appendfsync', 'always'],
          ['SET', 'k', 'v1'],
        ],
        /\+OK\r\n\+OK/,
      );
      await redis.kill();
      await expect(send(redis.port, [['PING']], /PONG/)).rejects.toThrow(/ECONNREFUSED/);
      await redis.restart();
      expect(await send(redis.port, [['GET', 'k']], /v1/)).toContain('v1');
    } finally {
      await redis.stop();
    }
    expect(existsSync(redis.dir)).toBe(false);
    await expect(redis.restart()).rejects.toThrow(/after stop/);
    await expect(redis.stop()).resolves.toBeUndefined();
  });

  it('requires the password, which the URL carries percent-encoded', async () => {
    const redis = await startRedis({ password: 'se cret@1' });
    try {
      expect(redis.url).toBe(`redis://:se%20cret%401@127.0.0.1:${redis.port}`);
      expect(await send(redis.port, [['GET', 'x']], /\r\n/)).toMatch(/^-NOAUTH/);
      expect(await send(redis.port, [['AUTH', 'se cret@1'], ['PING']], /PONG/)).toContain('+PONG');
    } finally {
      await redis.stop();
    }
  });

  it('pause() stalls the server until resume()', async () => {
    const redis = await startRedis();
    try {
      redis.pause();
      expect(await send(redis.port, [['PING']], /PONG/, 300)).toBe('TIMEOUT');
      redis.resume();
      expect(await send(redis.port, [['PING']], /PONG/)).toContain('+PONG');
    } finally {
      await redis.stop();
    }
  });

  it('runs two servers side by side on different ports', async () => {
    const [a, b] = await Promise.all([startRedis(), startRedis()]);
    try {
      expect(a.port).not.toBe(b.port);
      expect(a.dir).not.toBe(b.dir);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('reports a server that cannot start, with its output', async () => {
    await expect(startRedis({ binary: '/bin/false', startTimeoutMs: 2_000 })).rejects.toThrow(
      /exited during start/,
    );
  });
});
