import { describe, expect, it } from 'vitest';
import { createLogger } from '@understudy/observability';
import { CloseStack, ShuttingDown } from './close-stack.js';

const logger = createLogger({ name: 'test', level: 'silent', pretty: false });

describe('CloseStack', () => {
  it('closes newest first, once, and a failing close does not stop the others', async () => {
    const order: string[] = [];
    const stack = new CloseStack(logger);
    await stack.push('ops', () => Promise.resolve(void order.push('ops')));
    await stack.push('dns', () => Promise.reject(new Error('boom')));
    await stack.push('decider', () => Promise.resolve(void order.push('decider')));
    expect(stack.pending).toEqual(['decider', 'dns', 'ops']);
    await Promise.all([stack.close(), stack.close()]);
    expect(order).toEqual(['decider', 'ops']);
    expect(stack.closing).toBe(true);
  });

  it('closes what finishes starting after the close began, and tells its starter to stop', async () => {
    const stack = new CloseStack(logger);
    await stack.close();
    let closed = false;
    await expect(stack.push('late', () => Promise.resolve(void (closed = true)))).rejects.toBeInstanceOf(
      ShuttingDown,
    );
    expect(closed).toBe(true);
    expect(() => stack.check()).toThrow(ShuttingDown);
  });
});
