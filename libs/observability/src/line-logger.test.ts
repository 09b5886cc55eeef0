import { describe, expect, it } from 'vitest';
import type { Logger } from '@understudy/core';
import { TransientError } from '@understudy/core';
import { createLineLogger } from './line-logger.js';
import { createLogger } from './logger.js';
import { prettyLine } from './pretty.js';
import { captureStream } from './test-support/capture.js';

// Built once, so both loggers see the same stacks.
const err = Object.assign(new TransientError('cloudflare 429', 1000, { cause: new Error('rate limited') }), {
  code: 'E429',
});
const bare = new RangeError('bare error');
const other = new Error('with message');
const agg = new AggregateError([new Error('first'), 'not an error'], 'both failed');

/** The same calls against a logger; what the DNS workers log, and the harder cases. */
function exercise(log: Logger): void {
  log.info({ check: 'app-primary', region: 'eu-west', n: 3, ok: true, list: [1, 'a'] }, 'check down');
  log.debug('not at info level');
  log.warn('plain message "quoted"\nsecond line');
  const child = log.child({ role: 'dns', worker: 2 });
  child.warn({ from: '192.0.2.1', bytes: 12 }, 'dropped a malformed query');
  child.error({ err }, 'publish failed');
  log.error(bare);
  log.error({ err: other }, 'own message');
  log.error({ err: agg }, 'aggregate');
  log.info({ config: { apiToken: 'cf-secret', zone: 'z1' }, url: 'redis://u:hunter2@h:6379' }, 'secrets');
  log.child({ password: 'pw' }).info('child secret');
  log.info({ skipped: undefined, fn: () => 1, nested: { a: { b: [null] } } });
}

const withoutTime = (lines: Record<string, unknown>[]) =>
  lines.map((l) => {
    expect(new Date(l.time as string).toISOString()).toBe(l.time);
    return { ...l, time: 'T' };
  });

describe('createLineLogger', () => {
  it('writes the lines pino (createLogger) writes, field for field and in the same order', () => {
    const pinoOut = captureStream();
    exercise(createLogger({ name: 'understudy-dns-worker', destination: pinoOut }));
    const lines: string[] = [];
    exercise(createLineLogger({ name: 'understudy-dns-worker', write: (l) => lines.push(l) }));
    const ours = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const theirs = pinoOut.json();
    expect(ours).toHaveLength(10);
    expect(withoutTime(ours)).toEqual(withoutTime(theirs));
    // Key order too: level, time, pid, hostname, name, bindings, fields, msg.
    expect(ours.map((l) => Object.keys(l))).toEqual(theirs.map((l) => Object.keys(l)));
    expect(lines.every((l) => l.endsWith('}\n') && l.indexOf('\n') === l.length - 1)).toBe(true);
    expect(lines.join('')).not.toMatch(/cf-secret|hunter2|"pw"/);
  });

  it('filters by level, silent included, and refuses an unknown level by name', () => {
    const lines: string[] = [];
    const log = createLineLogger({ name: 't', level: 'warn', write: (l) => lines.push(l) });
    log.info('no');
    log.warn('yes');
    log.fatal('yes too');
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['warn', 'fatal']);
    createLineLogger({ name: 't', level: 'silent', write: (l) => lines.push(l) }).fatal('never');
    expect(lines).toHaveLength(2);
    expect(() => createLineLogger({ name: 't', level: 'loud' })).toThrow(/log level: unknown level "loud"/);
  });

  it('writes one pretty line per event in the pretty format', () => {
    const lines: string[] = [];
    const json: string[] = [];
    createLineLogger({ name: 'w', format: 'pretty', write: (l) => lines.push(l) }).warn({ a: 1 }, 'm');
    createLineLogger({ name: 'w', write: (l) => json.push(l) }).warn({ a: 1 }, 'm');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S+Z WARN {2}w: m {2}a=1\n$/);
    expect(lines[0]!.replace(/^\S+/, '')).toBe(`${prettyLine(json[0]!).replace(/^\S+/, '')}\n`);
  });

  it('writes a circular object instead of throwing', () => {
    const lines: string[] = [];
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    createLineLogger({ name: 't', write: (l) => lines.push(l) }).warn({ loop }, 'circular');
    expect(JSON.parse(lines[0]!)).toMatchObject({ loop: { a: 1, self: '[Circular]' }, msg: 'circular' });
  });
});
