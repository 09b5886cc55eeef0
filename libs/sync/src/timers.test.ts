import { describe, expect, it } from 'vitest';
import { realTimers } from './timers.js';

describe('realTimers', () => {
  it('fires after the delay and can be cancelled', async () => {
    const fired: string[] = [];
    realTimers.setTimeout(() => fired.push('a'), 5);
    const b = realTimers.setTimeout(() => fired.push('b'), 5);
    realTimers.clearTimeout(b);
    realTimers.setTimeout(() => fired.push('c'), -10);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired.sort()).toEqual(['a', 'c']);
  });
});
