import { MemoryStateStore } from '@understudy/backends';
import { statusView, type ListenAddress, type StatusView, type UnderstudyConfig } from '@understudy/core';
import { formatStatus, utc } from './status-format.js';
import { CliExit, EXIT_USAGE, loadOrExit } from './shared.js';

export type StatusOutput = 'json' | 'text';

export interface StatusOptions {
  /** `-c`; without it and without --url the config is discovered. */
  config?: string;
  /** Alias of `--output json`. */
  json?: boolean;
  output?: StatusOutput;
  /**
   * Base URL of a running instance's ops endpoint. Alone, it is all `status` needs: /status is public,
   * so an operator can read any instance without its config or an admin token.
   */
  url?: string;
  /** `--record NAME/TYPE`: one failover record instead of all of them (the name may omit the final dot). */
  record?: string;
}

/** The record id the decider uses ("www.example.com./A") from what an operator types. */
export function recordIdOf(arg: string): string {
  const slash = arg.lastIndexOf('/');
  if (slash <= 0 || slash === arg.length - 1)
    throw new CliExit(
      `understudy status: --record ${arg} is not NAME/TYPE (e.g. www.example.com/A)`,
      EXIT_USAGE,
    );
  const name = arg.slice(0, slash).toLowerCase();
  return `${name.endsWith('.') ? name : `${name}.`}/${arg.slice(slash + 1).toUpperCase()}`;
}

/** The local base URL of a listen address (a wildcard address is reached on loopback). */
export function localBaseUrl(listen: ListenAddress): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}`;
}

/** The running instance's ops endpoint from the config. */
export function opsBaseUrl(config: UnderstudyConfig): string | null {
  return config.listen.http ? localBaseUrl(config.listen.http) : null;
}

type Fetched = { view: StatusView & { epoch?: number } } | { error: string };

async function fromRunning(url: string, record: string | undefined): Promise<Fetched> {
  let target: URL;
  try {
    target = new URL('/status', url);
    if (record !== undefined) target.searchParams.set('record', record);
  } catch {
    return { error: `--url ${url} is not a URL (e.g. http://127.0.0.1:9090)` };
  }
  try {
    const res = await fetch(target, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) return { error: `${target.href} answered HTTP ${res.status}` };
    const body = (await res.json()) as (StatusView & { epoch?: number }) | null;
    return body ? { view: body } : { error: `${target.href} has no decider state yet` };
  } catch (err) {
    const c = (err as { cause?: { code?: string; message?: string } }).cause;
    const cause = c?.code ?? c?.message ?? (err as Error).message;
    return { error: `no answer from ${target.href} (${cause})` };
  }
}

export function statusFormat(opts: StatusOptions): StatusOutput {
  if (opts.json && opts.output === 'text')
    throw new CliExit('understudy status: --json is --output json; give one of them', EXIT_USAGE);
  return opts.output ?? (opts.json ? 'json' : 'text');
}

/** Prints the answers and verdicts: from the running instance if reachable, else from the state file. */
export async function statusCommand(opts: StatusOptions, out: NodeJS.WritableStream): Promise<void> {
  const format = statusFormat(opts);
  const record = opts.record === undefined ? undefined : recordIdOf(opts.record);
  let view: (StatusView & { epoch?: number }) | null = null;
  let source = '';
  if (opts.url !== undefined && opts.config === undefined) {
    const got = await fromRunning(opts.url, record);
    if ('error' in got) throw new CliExit(`understudy status: ${got.error}`);
    view = got.view;
    source = opts.url;
  } else {
    const { config } = await loadOrExit(opts.config);
    const url = opts.url ?? opsBaseUrl(config);
    const got = url ? await fromRunning(url, record) : null;
    if (got && 'view' in got) {
      view = got.view;
      source = url!;
    } else if (config.state.file) {
      const store = await MemoryStateStore.open({ file: config.state.file });
      const state = await store.loadDecider();
      const publications = await store.readPublications();
      await store.close();
      if (state)
        view = statusView(config, state, Date.now(), publications, record === undefined ? {} : { record });
      source = config.state.file;
    }
    if (!view) {
      throw new CliExit(
        `no running instance answered${url ? ` at ${url}` : ''} and there is no state file (state.file) to read`,
      );
    }
  }
  const now = Date.now();
  if (format === 'json') out.write(`${JSON.stringify({ source, asOf: utc(now), ...view }, null, 2)}\n`);
  else out.write(`${formatStatus(view, now)}\n(from ${source})\n`);
}
