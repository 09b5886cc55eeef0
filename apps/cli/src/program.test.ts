import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeFailure } from './program.js';

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
