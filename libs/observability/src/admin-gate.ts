/**
 * Bearer-token authentication for the ops endpoint's operator actions (and the dashboard's). Tokens are
 * compared in constant time (over fixed-length digests, so length does not leak either). The token is
 * compared first: a right token always works, so nobody can lock operators out by failing on purpose
 * (from the same address, or behind the same proxy). Only wrong tokens count; a client address with too
 * many in a minute gets 429 for its wrong or missing tokens until the minute is over.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface NamedToken {
  name: string;
  token: string;
}

export type GateResult =
  | { ok: true; name: string }
  | {
      ok: false;
      status: 401 | 403 | 429;
      message: string;
      /** Why, for the log: `missing`, `wrong` (a token that matched none) or `throttled`. Never the token. */
      reason: 'disabled' | 'missing' | 'wrong' | 'throttled';
      /** True for the attempt that reached the limit (log it once, not every refusal after it). */
      throttledNow?: boolean;
    };

const FAILURES_PER_MINUTE = 10;
const WINDOW_MS = 60_000;
const MAX_TRACKED_CLIENTS = 1_000;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

export class AdminGate {
  private readonly tokens: { name: string; digest: Buffer }[];
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    tokens: readonly NamedToken[],
    private readonly now: () => number = () => Date.now(),
  ) {
    this.tokens = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  }

  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  check(authorization: string | undefined, client: string): GateResult {
    if (!this.enabled)
      return {
        ok: false,
        status: 403,
        reason: 'disabled',
        message: 'operator actions are disabled: configure admin.tokens',
      };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    let name: string | null = null;
    if (m) {
      const given = digest(m[1]!);
      // Compare against every token, so the time taken does not say which one (or whether any) matched.
      for (const t of this.tokens) if (timingSafeEqual(given, t.digest) && name === null) name = t.name;
    }
    if (name !== null) return { ok: true, name };
    if (this.throttled(client))
      return {
        ok: false,
        status: 429,
        reason: 'throttled',
        message: 'too many failed attempts; try again in a minute',
      };
    // A missing token guesses nothing (the UI polls without one until it is given one): it does not count.
    if (!m)
      return {
        ok: false,
        status: 401,
        reason: 'missing',
        message: 'missing bearer token (Authorization: Bearer <token>)',
      };
    return { ok: false, status: 403, reason: 'wrong', message: 'token not accepted', ...this.fail(client) };
  }

  private throttled(client: string): boolean {
    const f = this.failures.get(client);
    return f !== undefined && this.now() - f.since < WINDOW_MS && f.count >= FAILURES_PER_MINUTE;
  }

  private fail(client: string): { throttledNow?: true } {
    const now = this.now();
    const f = this.failures.get(client);
    if (!f || now - f.since >= WINDOW_MS) {
      if (this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(client, { count: 1, since: now });
      return {};
    }
    f.count++;
    return f.count === FAILURES_PER_MINUTE ? { throttledNow: true } : {};
  }
}
