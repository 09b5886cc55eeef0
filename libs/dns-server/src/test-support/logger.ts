/** A Logger that records entries, for asserting what a component logged. */
import type { Logger } from '@understudy/core';

export interface LogEntry {
  level: string;
  msg: string;
  obj?: object;
}

export function memoryLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const at =
    (level: string) =>
    (a: object | string, b?: string): void => {
      entries.push(typeof a === 'string' ? { level, msg: a } : { level, msg: b ?? '', obj: a });
    };
  const logger = {
    entries,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  };
  return logger;
}

/** Seeded PRNG (mulberry32), so fuzz loops are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
