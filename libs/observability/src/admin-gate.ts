/**
 * Bearer-token authentication for the ops endpoint's operator actions. Tokens are compared in constant
 * time (over fixed-length digests, so length does not leak either), and a client address that fails too
 * often is refused for the rest of the minute.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface NamedToken {
  name: string;
  token: string;
}

export type GateResult = { ok: true; name: string } | { ok: false; status: 401 | 403 | 429; message: string };

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
      return { ok: false, status: 403, message: 'operator actions are disabled: configure admin.tokens' };
    const f = this.failures.get(client);
    if (f && this.now() - f.since < WINDOW_MS && f.count >= FAILURES_PER_MINUTE) {
      return { ok: false, status: 429, message: 'too many failed attempts; try again in a minute' };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return this.fail(client, 401, 'missing bearer token (Authorization: Bearer <token>)');
    const given = digest(m[1]!);
    // Compare against every token, so the time taken does not say which one (or whether any) matched.
    let name: string | null = null;
    for (const t of this.tokens) if (timingSafeEqual(given, t.digest) && name === null) name = t.name;
    if (name === null) return this.fail(client, 403, 'token not accepted');
    this.failures.delete(client);
    return { ok: true, name };
  }

  private fail(client: string, status: 401 | 403, message: string): GateResult {
    const now = this.now();
    const f = this.failures.get(client);
    if (!f || now - f.since >= WINDOW_MS) {
      if (this.failures.size >= MAX_TRACKED_CLIENTS) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(client, { count: 1, since: now });
    } else f.count++;
    return { ok: false, status, message };
  }
}
