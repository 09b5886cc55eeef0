import { describe, expect, it } from 'vitest';
import { ConfigError } from '@understudy/core';
import type { DashboardActions } from '@understudy/dashboard';
import { actionHandler, localOrRelayed, relayedActions } from './dashboard-wiring.js';

/** Actions that record each call as [method, ...args] and answer with the method name. */
function recorder(calls: unknown[][]): DashboardActions {
  const rec =
    (name: string) =>
    (...args: unknown[]) => {
      calls.push([name, ...args]);
      return Promise.resolve(name as never);
    };
  return {
    setOverride: rec('setOverride'),
    approveFailback: rec('approveFailback'),
    releaseGuard: rec('releaseGuard'),
    forcePlan: rec('forcePlan'),
    startDrill: rec('startDrill'),
    drill: rec('drill'),
    drills: rec('drills'),
  };
}

const actor = { name: 'oncall', reason: 'why' };

describe('relayed dashboard actions', () => {
  it('reach the leader’s actions with the same arguments, through the handler', async () => {
    const calls: unknown[][] = [];
    const handle = actionHandler(recorder(calls));
    const sent: string[] = [];
    const relayed = relayedActions({
      request: (kind, payload) => {
        sent.push(kind);
        // What crosses Redis is JSON.
        return handle(kind, JSON.parse(JSON.stringify(payload)) as Record<string, unknown>);
      },
    });
    expect(await relayed.setOverride('app./A', 'primary', 'down', actor)).toBe('setOverride');
    await relayed.approveFailback('app./A', actor);
    await relayed.releaseGuard(actor);
    await relayed.forcePlan('cf', actor);
    await relayed.startDrill({ recordId: 'app./A', actor });
    await relayed.startDrill({ recordId: 'app./A', target: 'dns', actor });
    await relayed.drill('drill-1');
    await relayed.drills();
    expect(sent).toEqual([
      'override',
      'approve-failback',
      'release-guard',
      'force-plan',
      'start-drill',
      'start-drill',
      'drill',
      'drills',
    ]);
    expect(calls).toEqual([
      ['setOverride', 'app./A', 'primary', 'down', actor],
      ['approveFailback', 'app./A', actor],
      ['releaseGuard', actor],
      ['forcePlan', 'cf', actor],
      ['startDrill', { recordId: 'app./A', actor }],
      ['startDrill', { recordId: 'app./A', target: 'dns', actor }],
      ['drill', 'drill-1'],
      ['drills'],
    ]);
  });

  it('refuses malformed relayed requests with a ConfigError naming the field', async () => {
    const calls: unknown[][] = [];
    const handle = actionHandler(recorder(calls));
    const fail = (kind: string, p: Record<string, unknown>) =>
      Promise.resolve()
        .then(() => handle(kind, p))
        .then(
          () => null,
          (e: unknown) => e as Error,
        );
    const badMode = await fail('override', { record: 'a', answer: 'p', mode: 'sideways', actor });
    expect(badMode).toBeInstanceOf(ConfigError);
    expect(badMode?.message).toContain('mode: must be up, down or obey');
    expect((await fail('approve-failback', { record: 'a' }))?.message).toContain(
      'actor: must be { name, reason }',
    );
    expect((await fail('force-plan', { target: '', actor }))?.message).toContain(
      'target: must be a non-empty string',
    );
    expect((await fail('reboot', {}))?.message).toContain('unknown action "reboot"');
    expect(calls).toEqual([]);
  });

  it('run --redis: local actions while leading, relayed otherwise', async () => {
    const local: unknown[][] = [];
    const remote: unknown[][] = [];
    let leading = true;
    const actions = localOrRelayed(recorder(local), recorder(remote), () => leading);
    await actions.releaseGuard(actor);
    leading = false;
    await actions.releaseGuard(actor);
    await actions.drills();
    expect(local).toEqual([['releaseGuard', actor]]);
    expect(remote).toEqual([['releaseGuard', actor], ['drills']]);
  });
});
