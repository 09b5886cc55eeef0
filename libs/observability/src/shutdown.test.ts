import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installCrashHandlers, onShutdown } from './shutdown.js';
import type { ShutdownStep } from './shutdown.js';
import { recordingLogger } from '@understudy/testkit/logger';

function setup(steps: ShutdownStep[], timeoutMs?: number) {
  const proc = new EventEmitter();
  const exits: number[] = [];
  const logger = recordingLogger();
  const handle = onShutdown({
    logger,
    steps,
    process: proc,
    exit: (code) => exits.push(code),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { proc, exits, logger, handle };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('onShutdown', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs the steps in order on SIGTERM, then exits 0', async () => {
    const order: string[] = [];
    const step = (name: string): ShutdownStep => ({
      name,
      run: async () => {
        order.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`${name}:end`);
      },
    });
    const { proc, exits, logger } = setup([step('readiness'), step('dns'), step('store')]);
    proc.emit('SIGTERM', 'SIGTERM');
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(order).toEqual([
      'readiness:start',
      'readiness:end',
      'dns:start',
      'dns:end',
      'store:start',
      'store:end',
    ]);
    expect(logger.entries[0]).toMatchObject({
      level: 'info',
      msg: 'shutting down',
      obj: { reason: 'SIGTERM' },
    });
    expect(logger.entries.at(-1)).toMatchObject({ msg: 'shutdown complete' });
  });

  it('logs a failing step and still runs the rest', async () => {
    const ran: string[] = [];
    const { proc, exits, logger } = setup([
      { name: 'a', run: () => Promise.reject(new Error('a failed')) },
      {
        name: 'b',
        run: () => {
          ran.push('b');
          return Promise.resolve();
        },
      },
    ]);
    proc.emit('SIGINT', 'SIGINT');
    await vi.waitFor(() => expect(exits).toEqual([0]));
    expect(ran).toEqual(['b']);
    const failed = logger.entries.find((l) => l.msg === 'shutdown step failed');
    expect(failed?.obj).toMatchObject({ step: 'a', err: { message: 'a failed' } });
  });

  it('exits 1 when the steps outlast the timeout, and only once', async () => {
    vi.useFakeTimers();
    let finish!: () => void;
    const { proc, exits, logger } = setup(
      [{ name: 'stuck', run: () => new Promise<void>((r) => (finish = r)) }],
      2_000,
    );
    proc.emit('SIGTERM', 'SIGTERM');
    await vi.advanceTimersByTimeAsync(1_999);
    expect(exits).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(exits).toEqual([1]);
    expect(logger.entries.find((l) => l.msg === 'shutdown timed out')?.obj).toMatchObject({ step: 'stuck' });
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(exits).toEqual([1]);
  });

  it('forces exit 1 on a second signal', async () => {
    let finish!: () => void;
    const { proc, exits } = setup([{ name: 'slow', run: () => new Promise<void>((r) => (finish = r)) }]);
    proc.emit('SIGTERM', 'SIGTERM');
    await flush();
    expect(exits).toEqual([]);
    proc.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([1]);
    finish();
    await flush();
    expect(exits).toEqual([1]);
  });

  it('trigger() runs the steps once however often it is called, and dispose() removes the listeners', async () => {
    let runs = 0;
    const { proc, exits, handle } = setup([
      {
        name: 'count',
        run: () => {
          runs += 1;
          return Promise.resolve();
        },
      },
    ]);
    expect(proc.listenerCount('SIGTERM')).toBe(1);
    const first = handle.trigger('fatal error in decider');
    expect(handle.trigger('again')).toBe(first);
    await first;
    expect(runs).toBe(1);
    expect(exits).toEqual([0]);
    handle.dispose();
    expect(proc.listenerCount('SIGTERM')).toBe(0);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });

  it('trigger() can end the process with a non-zero exit code after an orderly shutdown', async () => {
    const { exits, handle } = setup([{ name: 'noop', run: () => Promise.resolve() }]);
    await handle.trigger('decider stood down', 1);
    expect(exits).toEqual([1]);
  });
});

describe('installCrashHandlers', () => {
  it('logs fatal and exits 1 on an unhandled rejection or an uncaught exception', () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    const logger = recordingLogger();
    const uninstall = installCrashHandlers(logger, (code) => exits.push(code), proc);
    proc.emit('unhandledRejection', new Error('nobody caught me'));
    proc.emit('uncaughtException', new Error('thrown'), 'uncaughtException');
    expect(exits).toEqual([1, 1]);
    expect(logger.entries.map((l) => [l.level, l.msg])).toEqual([
      ['fatal', 'unhandled promise rejection'],
      ['fatal', 'uncaught exception'],
    ]);
    expect(logger.entries[0]!.obj).toMatchObject({ err: { message: 'nobody caught me' } });
    uninstall();
    expect(proc.listenerCount('unhandledRejection')).toBe(0);
    expect(proc.listenerCount('uncaughtException')).toBe(0);
  });
});
