import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Logger } from '@understudy/core';
import { TransientError, fullPatch } from '@understudy/core';
import { makeDeciderState } from '../conformance/fixtures.js';
import { MemoryStateStore } from './state-store.js';

function errorLog(): Logger & { errors: unknown[] } {
  const errors: unknown[] = [];
  const noop = () => undefined;
  const logger = {
    errors,
    trace: noop,
    debug: noop,
    info: noop,
    warn: noop,
    error: (obj: unknown) => {
      errors.push(obj);
    },
    fatal: noop,
    child: () => logger,
  };
  return logger;
}

/** Polls without timers (they are faked here); bounded in time. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const deciderIn = async (file: string) =>
  (JSON.parse(await readFile(file, 'utf8')) as { decider: unknown }).decider;

describe('MemoryStateStore close() and its debounce timer', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-close-'));
    file = join(dir, 'nested', 'state.json');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await rm(dir, { recursive: true, force: true });
  });

  it('is idempotent: every call returns the first call’s promise, which flushed once', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 600_000 });
    await store.saveDecider(fullPatch(makeDeciderState(7)), 1);
    const first = store.close();
    expect(store.close()).toBe(first);
    await first;
    expect(store.close()).toBe(first);
    await expect(store.close()).resolves.toBeUndefined();
    expect(await deciderIn(file)).toEqual(makeDeciderState(7));
  });

  it('leaves no timer pending from the moment close() is called', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 600_000 });
    await store.saveDecider(fullPatch(makeDeciderState()), 1);
    expect(vi.getTimerCount()).toBe(1);
    const closing = store.close();
    expect(vi.getTimerCount()).toBe(0);
    await closing;
    expect(vi.getTimerCount()).toBe(0);
  });

  it('schedules nothing for a write that was queued before close()', async () => {
    const store = await MemoryStateStore.open({ file, flushDelayMs: 600_000 });
    const saving = store.saveDecider(fullPatch(makeDeciderState(9)), 1);
    const closing = store.close();
    expect(await saving).toEqual({ ok: true });
    await closing;
    expect(vi.getTimerCount()).toBe(0);
    expect(await deciderIn(file)).toEqual(makeDeciderState(9));
  });

  it('cancels a pending retry, and a failed final flush still leaves no timer', async () => {
    const logger = errorLog();
    const store = await MemoryStateStore.open({ file, logger, flushDelayMs: 5 });
    await rm(join(dir, 'nested'), { recursive: true });
    await writeFile(join(dir, 'nested'), 'not a directory');
    await store.saveDecider(fullPatch(makeDeciderState()), 1);
    await vi.advanceTimersByTimeAsync(5);
    await until(() => logger.errors.length >= 1, 'the failed debounced write');
    expect(vi.getTimerCount()).toBe(1); // the retry
    const closing = store.close();
    expect(vi.getTimerCount()).toBe(0);
    await expect(closing).rejects.toBeInstanceOf(TransientError);
    await expect(closing).rejects.toThrow(file);
    expect(store.close()).toBe(closing);
    expect(vi.getTimerCount()).toBe(0);
    expect(logger.errors).toHaveLength(1);
  });
});

describe('MemoryStateStore in a process of its own', () => {
  const packageDir = fileURLToPath(new URL('../..', import.meta.url));
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'understudy-exit-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a script that saves decider state with a 10-minute debounce, then closes the store or not. */
  async function run(mode: 'close' | 'abandon'): Promise<{ ms: number; code: number | null }> {
    const script = join(dir, 'child.mts');
    const stateFile = join(dir, 'data', 'state.json');
    await mkdir(join(dir, 'data'));
    await writeFile(
      script,
      [
        `import { MemoryStateStore } from ${JSON.stringify(new URL('./state-store.ts', import.meta.url).href)};`,
        `import { makeDeciderState } from ${JSON.stringify(new URL('../conformance/fixtures.ts', import.meta.url).href)};`,
        `const store = await MemoryStateStore.open({ file: ${JSON.stringify(stateFile)}, flushDelayMs: 600_000 });`,
        `import { fullPatch } from ${JSON.stringify(new URL('../../../core/src/decider-patch.ts', import.meta.url).href)};`,
        `await store.saveDecider(fullPatch(makeDeciderState(5)), 1);`,
        mode === 'close' ? 'await store.close();' : '',
      ].join('\n'),
    );
    const t0 = Date.now();
    const code = await new Promise<number | null>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--import', 'tsx', script],
        { cwd: packageDir, timeout: 30_000 },
        (err) => resolve(err ? (typeof err.code === 'number' ? err.code : null) : 0),
      );
      child.on('error', () => resolve(null));
    });
    return { ms: Date.now() - t0, code };
  }

  it('exits without close() although a debounced write is pending', async () => {
    const { ms, code } = await run('abandon');
    expect(code).toBe(0);
    expect(ms).toBeLessThan(30_000);
  }, 40_000);

  it('exits after close(), which flushed the pending write', async () => {
    const { code } = await run('close');
    expect(code).toBe(0);
    expect(await deciderIn(join(dir, 'data', 'state.json'))).toEqual(makeDeciderState(5));
  }, 40_000);
});
