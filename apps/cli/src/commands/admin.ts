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

export async function adminCommand(
  action: 'override' | 'approve-failback' | 'release-guard',
  body: Record<string, string>,
  opts: AdminOptions,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { config } = await loadOrExit(opts.config);
  const base = opts.url ?? opsBaseUrl(config);
  if (!base) throw new CliExit('listen.http is disabled in the config; pass --url', EXIT_USAGE);
  const token = opts.token ?? process.env.UNDERSTUDY_TOKEN;
  if (!token)
    throw new CliExit('a token is required: --token or UNDERSTUDY_TOKEN (one of admin.tokens)', EXIT_USAGE);
  let res: Response;
  try {
    res = await fetch(new URL(`/admin/${action}`, base), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, reason: opts.reason }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch {
    throw new CliExit(`no running instance answered at ${base}`);
  }
  const reply = (await res.json().catch(() => ({}))) as ActionReply;
  if (!res.ok) throw new CliExit(`${action}: ${reply.error ?? `HTTP ${res.status}`} (HTTP ${res.status})`);
  for (const e of reply.events ?? []) out.write(`${e.type}: ${e.message}\n`);
  if (reply.serial) out.write(`serving serial ${reply.serial}\n`);
}
