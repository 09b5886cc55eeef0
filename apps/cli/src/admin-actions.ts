/**
 * The operator actions the ops endpoint offers (POST /admin/<name>), mapped onto the decider.
 * Every change is audited by the engine with the token's name and the operator's reason.
 */
import {
  NotFoundError,
  StateConflictError,
  resolveRecordRef,
  type DecisionEvent,
  type EngineOutput,
  type UnderstudyConfig,
} from '@understudy/core';
import type { DeciderLeadership, DeciderRole } from '@understudy/decider';
import type { OpsAction } from '@understudy/observability';

type Result = { status: number; body: unknown };

const MODES = ['up', 'down', 'obey'] as const;

function requireString(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw new BadRequest(`"${key}" is required (a non-empty string)`);
  return v.trim();
}

class BadRequest extends Error {}

function summary(e: DecisionEvent): Record<string, unknown> {
  const { evidence: _evidence, ...rest } = e;
  return rest;
}

async function respond(fn: () => Promise<EngineOutput>): Promise<Result> {
  try {
    const out = await fn();
    return { status: 200, body: { events: out.events.map(summary), serial: out.delta?.serial ?? null } };
  } catch (err) {
    if (err instanceof BadRequest) return { status: 400, body: { error: err.message } };
    if (err instanceof NotFoundError) return { status: 404, body: { error: err.message } };
    if (err instanceof StateConflictError) return { status: 409, body: { error: err.message } };
    throw err;
  }
}

export function adminActions(config: UnderstudyConfig, decider: DeciderRole): OpsAction[] {
  return [
    {
      name: 'override',
      run: (body, actor) =>
        respond(() => {
          const mode = requireString(body, 'mode') as (typeof MODES)[number];
          if (!MODES.includes(mode)) throw new BadRequest(`"mode" must be one of ${MODES.join(', ')}`);
          const record = resolveRecordRef(config, requireString(body, 'record'));
          const reason = requireString(body, 'reason');
          return decider.setOverride(record, requireString(body, 'answer'), mode, { name: actor, reason });
        }),
    },
    {
      name: 'approve-failback',
      run: (body, actor) =>
        respond(() => {
          const record = resolveRecordRef(config, requireString(body, 'record'));
          return decider.approveFailback(record, { name: actor, reason: requireString(body, 'reason') });
        }),
    },
    {
      name: 'release-guard',
      run: (body, actor) =>
        respond(() => decider.releaseGuard({ name: actor, reason: requireString(body, 'reason') })),
    },
  ];
}

/** Operator actions go to the leader; a standby answers 503 so the operator retries against the leader. */
export function leaderActions(config: UnderstudyConfig, leadership: DeciderLeadership): OpsAction[] {
  return ['override', 'approve-failback', 'release-guard'].map((name) => ({
    name,
    run: (body, actor) => {
      const role = leadership.role;
      const action = role && adminActions(config, role).find((a) => a.name === name);
      if (!action)
        return Promise.resolve({ status: 503, body: { error: 'this decider is a standby; ask the leader' } });
      return action.run(body, actor);
    },
  }));
}
