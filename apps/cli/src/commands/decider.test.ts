import { describe, expect, it } from 'vitest';
import type { UnderstudyConfig } from '@understudy/core';
import { leaseTtlMs } from './decider.js';
import { CliExit } from './shared.js';

const config = { decider: { leaseTtl: 7000 } } as UnderstudyConfig;
const fails = (flag: string): string => {
  try {
    leaseTtlMs(flag, config);
  } catch (err) {
    expect(err).toBeInstanceOf(CliExit);
    return (err as Error).message;
  }
  throw new Error(`--lease-ttl ${flag} was accepted`);
};

describe('leaseTtlMs', () => {
  it('reads --lease-ttl as a config duration, else decider.leaseTtl', () => {
    expect(leaseTtlMs(undefined, config)).toBe(7000);
    expect(leaseTtlMs('5s', config)).toBe(5000);
    expect(leaseTtlMs('2', config)).toBe(2000);
    expect(leaseTtlMs('1500ms', config)).toBe(1500);
  });

  it('names the flag for a bad or too short duration', () => {
    expect(fails('soon')).toMatch(/^--lease-ttl: /);
    expect(fails('500ms')).toBe('--lease-ttl: "500ms" is shorter than 1s');
  });
});
