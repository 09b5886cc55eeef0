import { describe, expect, it } from 'vitest';
import type { ProbedCheckConfig } from '@understudy/core';
import { checkRunner, registerCheckRunner } from './check-runners.js';
import { runCheck } from './run-check.js';
import { CheckFailure } from './run-context.js';
import { tcpCheckConfig } from './test-support/fixtures.js';

/** A kind the built-in union does not know, as a plugin would add it. */
const KIND = 'always' as ProbedCheckConfig['type'];
const checkOf = (id: string) => ({ ...tcpCheckConfig({ id }), type: KIND }) as ProbedCheckConfig;

describe('check runner registry', () => {
  it('has a runner for every built-in probed kind', () => {
    for (const type of ['http', 'https', 'tcp', 'dns']) expect(checkRunner(type)).toBeDefined();
    expect(checkRunner('composite')).toBeUndefined();
  });

  it('dispatches a registered kind, with the run context and its deadline', async () => {
    const seen: string[] = [];
    registerCheckRunner(
      KIND,
      (check, ctx) => {
        seen.push(check.id);
        if (check.id === 'slow') return new Promise(() => undefined);
        if (check.id === 'answer') throw new CheckFailure('answer', 'the origin said no');
        if (check.id === 'local') throw new CheckFailure('connect', 'could not reach it');
        return Promise.resolve(ctx.ok());
      },
      ['answer'],
    );
    expect(await runCheck(checkOf('fine'))).toMatchObject({ ok: true });
    expect(await runCheck({ ...checkOf('slow'), timeout: 100 })).toMatchObject({
      ok: false,
      reason: 'timeout',
    });
    // An origin answer is never blamed on the probe; a connect failure is, while the probe is short of descriptors.
    const selfCheck = () => 'out of descriptors';
    expect(await runCheck(checkOf('answer'), { selfCheck })).toMatchObject({ ok: false, reason: 'answer' });
    expect(await runCheck(checkOf('local'), { selfCheck })).toMatchObject({
      ok: false,
      reason: 'probe-error',
    });
    expect(seen).toEqual(['fine', 'slow', 'answer', 'local']);
  });
});
