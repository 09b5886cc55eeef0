/**
 * Issue #10: the probe's own failures (out of descriptors, a stalled event loop) must never look like the
 * origin's. They come out as `probe-error`, which the decider does not count as a vote.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { freePort } from '@understudy/testkit/ports';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify } from './classify.js';
import type { LookupFn } from './lookup.js';
import { bodyMatcher } from './matchers.js';
import { fdPressure } from './probe-health.js';
import { runCheck } from './run-check.js';
import { httpCheckConfig, tcpCheckConfig } from './test-support/fixtures.js';

const loopback: LookupFn = () => Promise.resolve({ address: '127.0.0.1', family: 4 });
const sysError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('probe-error classification', () => {
  let silent: Server;
  let silentPort: number;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Accepts and never answers: a check against it can only end at its deadline.
    silent = createServer((socket) => sockets.add(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('resource exhaustion is a probe-error in every phase, and names the phase', () => {
    for (const code of ['EMFILE', 'ENFILE', 'ENOBUFS', 'EADDRNOTAVAIL']) {
      for (const phase of ['dns', 'connect', 'tls', 'request', 'body'] as const) {
        const got = classify(sysError(code, `connect ${code} 192.0.2.1:443`), phase);
        expect(got.reason).toBe('probe-error');
        expect(got.message).toContain(code);
        expect(got.message).toContain(phase);
      }
    }
    // The origin's own refusal still votes.
    expect(classify(sysError('ECONNREFUSED', 'connect ECONNREFUSED'), 'connect').reason).toBe('connect');
  });

  it('an EMFILE from the resolver is a probe-error, not a dns failure', async () => {
    const exhausted: LookupFn = () =>
      Promise.reject(sysError('EMFILE', 'getaddrinfo EMFILE db.example.test'));
    const out = await runCheck(tcpCheckConfig({ host: 'db.example.test', port: 1 }), { lookup: exhausted });
    expect(out).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(out.message).toMatch(/EMFILE/);
  });

  it('a failure while the probe is short of descriptors is a probe-error (getaddrinfo says ENOTFOUND then)', async () => {
    const port = await freePort();
    const check = tcpCheckConfig({ host: '127.0.0.1', port, timeout: 2_000 });
    const refused = await runCheck(check, { lookup: loopback, selfCheck: () => null });
    expect(refused).toMatchObject({ ok: false, reason: 'connect' });
    const starved = await runCheck(check, {
      lookup: loopback,
      selfCheck: () => 'the probe uses 1020 of 1024 file descriptors',
    });
    expect(starved).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(starved.message).toMatch(/ECONNREFUSED.*not counted: the probe uses 1020 of 1024/);
  });

  it('fdPressure reads the real descriptor table and judges a share of the limit', () => {
    expect(fdPressure(1)).toBeNull(); // this test process is nowhere near its limit
    expect(fdPressure(0.9, { open: 950, limit: 1024, exhausted: false })).toMatch(/950 of 1024/);
    expect(fdPressure(0.9, { open: 100, limit: 1024, exhausted: false })).toBeNull();
    expect(fdPressure(0.9, { open: 61, limit: 64, exhausted: false })).toMatch(/61 of 64/);
    expect(fdPressure(0.9, { open: null, limit: 64, exhausted: true })).toMatch(/out of file descriptors/);
  });

  it('a deadline missed because the event loop stalled is a probe-error, not a timeout', async () => {
    // A plain timeout first: the loop is free, the deadline fires on time.
    const hanging = httpCheckConfig({ host: '127.0.0.1', port: silentPort, timeout: 200 });
    const timedOut = await runCheck(hanging, { lookup: loopback, selfCheck: () => null });
    expect(timedOut).toMatchObject({ ok: false, reason: 'timeout' });
    // Now block the loop for well past the deadline while the run waits for its reply.
    const run = runCheck(hanging, { lookup: loopback, selfCheck: () => null, stallTolerance: 100 });
    const until = performance.now() + 700;
    while (performance.now() < until) {
      // a synchronous stall, as a CPU-bound bug or a huge GC pause would cause
    }
    const stalled = await run;
    expect(stalled).toMatchObject({ ok: false, reason: 'probe-error' });
    expect(stalled.message).toMatch(/event loop stalled/);
  });
});

describe('body regex (RE2, linear time)', () => {
  it('matches a catastrophic-backtracking pattern against a hostile body quickly', () => {
    const matcher = bodyMatcher({ regex: '^(a+)+$' })!;
    matcher.test('warm up'); // compile and JIT outside the timed part
    const started = performance.now();
    expect(matcher.test('a'.repeat(26) + '!')).toBe(false);
    // A backtracking engine needs seconds here (6.4 s before RE2); the bound is generous for a loaded machine.
    expect(performance.now() - started).toBeLessThan(1000);
    expect(matcher.test('a'.repeat(26))).toBe(true);
  });
});
