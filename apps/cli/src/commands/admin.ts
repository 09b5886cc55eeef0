/** Operator actions against a running instance: override, approve-failback, release-guard. */
import { CliExit, EXIT_USAGE, loadOrExit } from './shared.js';
import { opsBaseUrl } from './status.js';

export interface AdminOptions {
  /** `-c`; discovered when not given. */
  config?: string;
  url?: string;
  token?: string;
  reason: string;
}

interface ActionReply {
  error?: string;
  events?: { type: string; message: string }[];
  serial?: number | null;
}

/**
 * POST /admin/<action> on a running instance's ops endpoint with a bearer token (--token, else
 * $UNDERSTUDY_TOKEN); a usage error without either, an error when nothing answers.
 */
export async function postAdmin(
  base: string | null,
  action: string,
  flagToken: string | undefined,
  body: Record<string, string>,
  timeoutMs = 10_000,
): Promise<Response> {
  if (!base) throw new CliExit('listen.http is disabled in the config; pass --url', EXIT_USAGE);
  const token = flagToken ?? process.env.UNDERSTUDY_TOKEN;
  if (!token)
    throw new CliExit('a token is required: --token or UNDERSTUDY_TOKEN (one of admin.tokens)', EXIT_USAGE);
  try {
    return await fetch(new URL(`/admin/${action}`, base), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch {
    throw new CliExit(`no running instance answered at ${base}`);
  }
}

export async function adminCommand(
  action: 'override' | 'approve-failback' | 'release-guard',
  body: Record<string, string>,
  opts: AdminOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { config } = await loadOrExit(opts.config);
  const res = await postAdmin(opts.url ?? opsBaseUrl(config), action, opts.token, {
    ...body,
    reason: opts.reason,
  });
  const reply = (await res.json().catch(() => ({}))) as ActionReply;
  if (!res.ok) throw new CliExit(`${action}: ${reply.error ?? `HTTP ${res.status}`} (HTTP ${res.status})`);
  for (const e of reply.events ?? []) out.write(`${e.type}: ${e.message}\n`);
  if (reply.serial) out.write(`serving serial ${reply.serial}\n`);
}
