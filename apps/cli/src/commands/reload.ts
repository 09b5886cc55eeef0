/**
 * `understudy reload`: asks the running process to re-read its config file (POST /admin/reload on its ops
 * endpoint, with an admin token, like the other operator actions). The same as `kill -HUP <pid>`, but
 * audited with the token's name and a reason, and it reports what happened.
 */
import { readFile } from 'node:fs/promises';
import { loadConfig } from '@understudy/config';
import type { ReloadOutcome } from '@understudy/dashboard';
import { postAdmin } from './admin.js';
import { CliExit, EXIT_FAILURE, EXIT_USAGE } from './shared.js';
import { localBaseUrl, opsBaseUrl } from './status.js';

export interface ReloadOptions {
  config: string;
  url?: string;
  token?: string;
  reason?: string;
}

export async function reloadCommand(opts: ReloadOptions, out: NodeJS.WritableStream): Promise<number> {
  const base = opts.url ?? (await opsUrlOf(opts.config));
  // A reload applies the config to every role of the process: more than an override takes.
  const res = await postAdmin(
    base,
    'reload',
    opts.token,
    { reason: opts.reason ?? 'understudy reload' },
    60_000,
  );
  const reply = (await res.json().catch(() => ({}))) as Partial<ReloadOutcome> & { error?: string };
  if (res.status === 422 || (res.ok && reply.ok === false)) {
    out.write(`reload refused; the running config (${short(reply.from)}) stays:\n`);
    for (const p of reply.problems ?? []) out.write(`  ${p}\n`);
    return EXIT_FAILURE;
  }
  if (!res.ok) throw new CliExit(`reload: ${reply.error ?? `HTTP ${res.status}`} (HTTP ${res.status})`);
  out.write(
    reply.from === reply.to
      ? `config unchanged (${short(reply.to)})\n`
      : `config reloaded: ${short(reply.from)} -> ${short(reply.to)}\n`,
  );
  if (reply.applied?.length) out.write(`  applied by: ${reply.applied.join(', ')}\n`);
  if (reply.restartNeeded?.length)
    out.write(`  needs a restart to take it: ${reply.restartNeeded.join(', ')}\n`);
  return 0;
}

/**
 * The ops endpoint from the config. The file may well be the broken one being reloaded (the running process
 * then refuses it and records why): its listen.http line is read on its own then.
 */
async function opsUrlOf(file: string): Promise<string | null> {
  try {
    return opsBaseUrl((await loadConfig(file)).config);
  } catch (err) {
    const text = await readFile(file, 'utf8').catch(() => {
      throw new CliExit(`${file}: ${(err as Error).message}`, EXIT_USAGE);
    });
    const m = /^\s+http:\s*["']?(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:]+\]|localhost):(\d+)["']?\s*$/im.exec(
      text,
    );
    if (!m) throw new CliExit(`${file} does not load and names no listen.http; pass --url`, EXIT_USAGE);
    return localBaseUrl({ host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) });
  }
}

const short = (hash: string | null | undefined): string => (hash ? hash.slice(0, 12) : '?');
