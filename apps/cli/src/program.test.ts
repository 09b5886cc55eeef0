import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describeFailure, main } from './program.js';

async function listenError(port: number): Promise<unknown> {
  const second = net.createServer();
  return new Promise((resolve) => {
    second.once('error', resolve);
    second.listen(port, '127.0.0.1', () => {
      second.close();
      resolve(null);
    });
  });
}

describe('describeFailure', () => {
  it('names the address of a port in use, without a stack', async () => {
    const first = net.createServer();
    await new Promise<void>((r) => first.listen(0, '127.0.0.1', r));
    const { port } = first.address() as net.AddressInfo;
    try {
      const err = await listenError(port);
      expect(describeFailure(err)).toBe(
        `cannot listen on 127.0.0.1:${port}: the address is already in use (another instance running?)`,
      );
    } finally {
      first.close();
    }
  });

  it('keeps the stack of anything else, and prints non-errors as text', () => {
    const err = new Error('boom');
    expect(describeFailure(err)).toContain('Error: boom\n    at ');
    expect(describeFailure('plain')).toBe('plain');
  });
});

describe('understudy validate', () => {
  const example = fileURLToPath(new URL('../../../examples/understudy.example.yaml', import.meta.url));
  /** Runs the command line in this process; returns its exit code and what it wrote. */
  async function cli(...args: string[]): Promise<{ code: number; out: string }> {
    let out = '';
    const write = (chunk: string | Uint8Array) => ((out += String(chunk)), true);
    vi.spyOn(process.stdout, 'write').mockImplementation(write);
    vi.spyOn(process.stderr, 'write').mockImplementation(write);
    process.exitCode = undefined;
    await main(['node', 'understudy', ...args]);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = undefined;
    vi.restoreAllMocks();
    return { code, out };
  }
  afterEach(() => vi.restoreAllMocks());

  it('takes the config as -c FILE, as the other commands do, or as its argument', async () => {
    for (const args of [['-c', example], ['--config', example], [example]]) {
      const r = await cli('validate', ...args);
      expect(r).toEqual({ code: 0, out: expect.stringContaining(`${example}: OK (1 zone(s)`) as unknown });
    }
  });

  it('is a usage error with two different files', async () => {
    const r = await cli('validate', 'other.yaml', '-c', example);
    expect(r).toEqual({ code: 2, out: expect.stringContaining('give one config file') as unknown });
  });

  it('without a file, finds it like every command: $UNDERSTUDY_CONFIG, ./understudy.yaml, /etc/understudy', async () => {
    const saved = process.env.UNDERSTUDY_CONFIG;
    try {
      process.env.UNDERSTUDY_CONFIG = example;
      expect(await cli('validate')).toEqual({
        code: 0,
        out: expect.stringContaining(`${example}: OK`) as unknown,
      });
      delete process.env.UNDERSTUDY_CONFIG;
      const none = await cli('validate');
      expect(none.code).toBe(1);
      expect(none.out).toContain(
        `no config file found; tried: -c/--config (not given), $UNDERSTUDY_CONFIG (not set), ${process.cwd()}/understudy.yaml, /etc/understudy/understudy.yaml`,
      );
    } finally {
      if (saved === undefined) delete process.env.UNDERSTUDY_CONFIG;
      else process.env.UNDERSTUDY_CONFIG = saved;
    }
  });
});
