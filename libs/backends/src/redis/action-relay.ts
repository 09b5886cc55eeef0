/**
 * Operator actions from a process without the decider's engine (the standalone dashboard) to the leading
 * decider, through Redis: a request list the leader pops while it leads (one leader, so one consumer),
 * and a short-lived reply list per request. A request carries its deadline; one that waited past it is
 * dropped unanswered, so an action is never applied after its requester gave up. Errors travel by kind
 * and come back as the same core error classes.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, NotFoundError, StateConflictError, type Clock, type Logger } from '@understudy/core';
import type { Redis } from 'ioredis';
import { silentLogger } from '../memory/silent-logger.js';
import type { RedisConnection } from './connection.js';
import { systemClock } from '@understudy/system';

export type ActionHandler = (kind: string, payload: Record<string, unknown>) => Promise<unknown>;

type ErrorKind = 'not-found' | 'conflict' | 'config' | 'internal';

interface Request {
  id: string;
  kind: string;
  payload: Record<string, unknown>;
  deadline: number;
}

type Reply = { ok: true; value: unknown } | { ok: false; error: { kind: ErrorKind; message: string } };

export interface RedisActionRelayOptions {
  connection: RedisConnection;
  logger?: Logger;
  clock?: Clock;
  /** How long a reply waits for its requester. Default 60 s. */
  replyTtlMs?: number;
}

function errorKind(err: unknown): ErrorKind {
  if (err instanceof NotFoundError) return 'not-found';
  if (err instanceof StateConflictError) return 'conflict';
  if (err instanceof ConfigError) return 'config';
  return 'internal';
}

function toError(e: { kind: ErrorKind; message: string }): Error {
  switch (e.kind) {
    case 'not-found':
      return new NotFoundError(e.message);
    case 'conflict':
      return new StateConflictError(e.message);
    case 'config':
      return new ConfigError([{ path: '', message: e.message }], 'request');
    default:
      return new Error(`the leading decider failed the action: ${e.message}`);
  }
}

function parseRequest(text: string): Request | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const r = v as Partial<Request> | null;
  if (typeof r !== 'object' || r === null) return 'not an object';
  if (typeof r.id !== 'string' || !/^[\w-]{1,64}$/.test(r.id)) return 'no valid id';
  if (typeof r.kind !== 'string') return 'no kind';
  if (typeof r.deadline !== 'number') return 'no deadline';
  if (typeof r.payload !== 'object' || r.payload === null || Array.isArray(r.payload))
    return 'no payload object';
  return r as Request;
}

export class RedisActionRelay {
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly requests: string;

  constructor(private readonly opts: RedisActionRelayOptions) {
    this.logger = opts.logger ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.requests = opts.connection.key('actions');
  }

  private replyKey(id: string): string {
    return this.opts.connection.key(`action-reply:${id}`);
  }

  /**
   * Sends an action to whichever decider leads and waits for its answer. Throws StateConflictError when
   * no leader answered in time (the request is withdrawn), or the error the leader's handler threw.
   */
  async request(kind: string, payload: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    const conn = this.opts.connection;
    const id = randomUUID();
    const body = JSON.stringify({ id, kind, payload, deadline: this.clock.now() + timeoutMs });
    const waiter: Redis = conn.duplicate('worker');
    try {
      await conn.client.rpush(this.requests, body).catch((err: unknown) => {
        throw new StateConflictError(
          `cannot reach Redis to send the action to the leader: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
      const got = await waiter.blpop(this.replyKey(id), Math.max(1, Math.ceil(timeoutMs / 1000)));
      if (!got) {
        // Withdrawn, so a leader that comes back later does not apply an action nobody waits for.
        await conn.client.lrem(this.requests, 1, body).catch(() => undefined);
        throw new StateConflictError(
          `no leading decider answered within ${Math.round(timeoutMs / 1000)} s; is a decider running and holding the lease?`,
        );
      }
      const reply = JSON.parse(got[1]) as Reply;
      if (reply.ok) return reply.value;
      throw toError(reply.error);
    } finally {
      await conn.release(waiter);
    }
  }

  /** Pops and answers requests until closed. Run it only while leading: there must be one consumer. */
  serve(handler: ActionHandler): { close(): Promise<void> } {
    const conn = this.opts.connection;
    const client: Redis = conn.duplicate('worker');
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        let got: [string, string] | null;
        try {
          got = await client.blpop(this.requests, 1);
        } catch (err) {
          if (stopped) break;
          this.logger.warn({ err }, 'action relay: could not read requests; retrying');
          await new Promise((r) => setTimeout(r, 500));
          continue;
        }
        if (!got) continue;
        await this.answer(got[1], handler);
      }
    })();
    return {
      close: async () => {
        stopped = true;
        // QUIT waits for the pending BLPOP (at most 1 s); with Redis down the client just disconnects.
        await conn.release(client);
        await loop;
      },
    };
  }

  private async answer(text: string, handler: ActionHandler): Promise<void> {
    const req = parseRequest(text);
    if (typeof req === 'string') {
      this.logger.warn({ reason: req }, 'action relay: dropped a malformed request');
      return;
    }
    if (req.deadline < this.clock.now()) {
      this.logger.warn(
        { id: req.id, kind: req.kind },
        'action relay: dropped a request its sender gave up on',
      );
      return;
    }
    let reply: Reply;
    try {
      reply = { ok: true, value: (await handler(req.kind, req.payload)) ?? null };
    } catch (err) {
      const kind = errorKind(err);
      if (kind === 'internal') this.logger.error({ err, kind: req.kind }, 'action relay: the action failed');
      reply = { ok: false, error: { kind, message: err instanceof Error ? err.message : String(err) } };
    }
    const key = this.replyKey(req.id);
    try {
      await this.opts.connection.client
        .multi()
        .rpush(key, JSON.stringify(reply))
        .pexpire(key, this.opts.replyTtlMs ?? 60_000)
        .exec();
    } catch (err) {
      this.logger.warn({ err, id: req.id }, 'action relay: could not send a reply');
    }
  }
}
