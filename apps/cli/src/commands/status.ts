import { MemoryStateStore } from '@understudy/backends';
import { statusView, type ListenAddress, type StatusView, type UnderstudyConfig } from '@understudy/core';
import { formatStatus } from './status-format.js';
import { CliExit, loadOrExit } from './shared.js';

export interface StatusOptions {
  config: string;
  json?: boolean;
  /** Base URL of a running instance's ops endpoint; defaults to listen.http from the config. */
  url?: string;
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

async function fromRunning(url: string): Promise<(StatusView & { epoch?: number }) | null> {
  try {
    const res = await fetch(new URL('/status', url), { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as StatusView) : null;
  } catch {
    return null;
  }
}

/** Prints the answers and verdicts: from the running instance if reachable, else from the state file. */
export async function statusCommand(opts: StatusOptions, out: NodeJS.WritableStream): Promise<void> {
  const { config } = await loadOrExit(opts.config);
  const url = opts.url ?? opsBaseUrl(config);
  let view = url ? await fromRunning(url) : null;
  let source = url ?? '';
  if (!view && config.state.file) {
    const store = await MemoryStateStore.open({ file: config.state.file });
    const state = await store.loadDecider();
    const publications = await store.readPublications();
    await store.close();
    if (state) view = statusView(config, state, Date.now(), publications);
    source = config.state.file;
  }
  if (!view) {
    throw new CliExit(
      `no running instance answered${url ? ` at ${url}` : ''} and there is no state file (state.file) to read`,
    );
  }
  if (opts.json) out.write(`${JSON.stringify({ source, ...view }, null, 2)}\n`);
  else out.write(`${formatStatus(view, Date.now())}\n(from ${source})\n`);
}
