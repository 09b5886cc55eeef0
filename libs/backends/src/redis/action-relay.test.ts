import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, NotFoundError, StateConflictError } from '@understudy/core';
import { recordingLogger } from '@understudy/testkit/logger';
import { startRedis, type RedisServer } from '@understudy/testkit/redis-server';
import { RedisActionRelay } from './action-relay.js';
import { RedisConnection } from './connection.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let n = 0;
async function pair() {
  const prefix = `relay${++n}:`;
  const a = await RedisConnection.create({ url: redis.url, prefix, name: 'dashboard' });
  const b = await RedisConnection.create({ url: redis.url, prefix, name: 'decider' });
  const logger = recordingLogger();
  return {
    requester: new RedisActionRelay({ connection: a }),
    leader: new RedisActionRelay({ connection: b, logger }),
    logger,
    a,
    close: async () => {
      await a.close();
      await b.close();
    },
  };
}

describe('RedisActionRelay', () => {
  it('carries an action to the serving leader and its answer back', async () => {
    const p = await pair();
    const seen: unknown[] = [];
    const serving = p.leader.serve((kind, payload) => {
      seen.push([kind, payload]);
      return Promise.resolve({ done: kind, record: payload.record });
    });
    try {
      const got = await p.requester.request('override', { record: 'app', mode: 'down' }, 5000);
      expect(got).toEqual({ done: 'override', record: 'app' });
      expect(seen).toEqual([['override', { record: 'app', mode: 'down' }]]);
    } finally {
      await serving.close();
      await p.close();
    }
  });

  it('brings the leader’s errors back as the same core errors', async () => {
    const p = await pair();
    const errors: Record<string, Error> = {
      missing: new NotFoundError('no record "x"'),
      busy: new StateConflictError('a drill is running'),
      bad: new ConfigError([{ path: 'mode', message: 'must be up, down or obey' }]),
      boom: new Error('disk on fire'),
    };
    const serving = p.leader.serve((kind) => Promise.reject(errors[kind]!));
    try {
      const fail = (kind: string): Promise<Error> =>
        p.requester.request(kind, {}, 5000).then(
          () => new Error('resolved'),
          (e: unknown) => e as Error,
        );
      const missing = await fail('missing');
      expect(missing).toBeInstanceOf(NotFoundError);
      expect(missing.message).toBe('no record "x"');
      expect(await fail('busy')).toBeInstanceOf(StateConflictError);
      const bad = await fail('bad');
      expect(bad).toBeInstanceOf(ConfigError);
      expect(bad.message).toContain('must be up, down or obey');
      expect((await fail('boom')).message).toBe('the leading decider failed the action: disk on fire');
    } finally {
      await serving.close();
      await p.close();
    }
  });

  it('without a leader: a clear conflict after the timeout, and the request is withdrawn', async () => {
    const p = await pair();
    try {
      const err = await p.requester.request('override', {}, 1000).then(
        () => new Error('resolved'),
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(StateConflictError);
      expect(err.message).toMatch(/no leading decider answered within 1 s/);
      expect(await p.a.client.llen(p.a.key('actions'))).toBe(0);
      // A leader that starts later finds nothing to apply.
      const seen: string[] = [];
      const serving = p.leader.serve((kind) => {
        seen.push(kind);
        return Promise.resolve(null);
      });
      await new Promise((r) => setTimeout(r, 1500));
      await serving.close();
      expect(seen).toEqual([]);
    } finally {
      await p.close();
    }
  });

  it('drops malformed and expired requests with a logged reason and keeps serving', async () => {
    const p = await pair();
    const key = p.a.key('actions');
    await p.a.client.rpush(
      key,
      '{not json',
      JSON.stringify({ id: 'old', kind: 'x', payload: {}, deadline: 1 }),
    );
    const serving = p.leader.serve(() => Promise.resolve('ok'));
    try {
      expect(await p.requester.request('x', {}, 5000)).toBe('ok');
      const msgs = p.logger.messages('warn');
      expect(msgs).toContain('action relay: dropped a malformed request');
      expect(msgs).toContain('action relay: dropped a request its sender gave up on');
    } finally {
      await serving.close();
      await p.close();
    }
  });
});
