/**
 * `understudy drill`: starts a failover drill through the dashboard API (POST /api/v1/drills), polls
 * its report until it finishes, prints the timings per target. Exit 0 when every target switched and
 * was restored in time, 1 otherwise.
 */
import type { UnderstudyConfig } from '@understudy/core';
import type { DrillReport } from '@understudy/drill';
import { CliExit, EXIT_USAGE, loadOrExit } from './shared.js';
import { localBaseUrl } from './status.js';

export interface DrillCommandOptions {
  config?: string;
  url?: string;
  token?: string;
  record: string;
  target?: string;
  reason: string;
  json?: boolean;
  /** Give up waiting for the report after this long (ms). Default 10 minutes. */
  waitMs?: number;
  pollMs?: number;
}

export function dashboardBaseUrl(config: UnderstudyConfig): string | null {
  return config.listen.dashboard ? localBaseUrl(config.listen.dashboard) : null;
}

/** --url, else listen.dashboard of the config found as every command finds it (-c, $UNDERSTUDY_CONFIG, ...). */
async function baseUrl(opts: DrillCommandOptions): Promise<string> {
  if (opts.url) return opts.url;
  const { config } = await loadOrExit(opts.config).catch((err: unknown) => {
    // Without a config the dashboard's address can still be given directly: say so.
    if (err instanceof CliExit && err.message.includes('no config file found'))
      throw new CliExit(`${err.message}; or pass --url of the dashboard API`, EXIT_USAGE);
    throw err;
  });
  const url = dashboardBaseUrl(config);
  if (!url) throw new CliExit('listen.dashboard is disabled in the config; pass --url', EXIT_USAGE);
  return url;
}

async function api(url: URL, init: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  } catch {
    throw new CliExit(`no dashboard API answered at ${url.origin}`);
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: res.status, body };
}

function failure(what: string, r: { status: number; body: Record<string, unknown> }): CliExit {
  const text = [r.body.message, r.body.error].find((v): v is string => typeof v === 'string') ?? 'failed';
  return new CliExit(`${what}: ${text} (HTTP ${r.status})`);
}

export async function drillCommand(opts: DrillCommandOptions, out: NodeJS.WritableStream): Promise<void> {
  const base = await baseUrl(opts);
  const token = opts.token ?? process.env.UNDERSTUDY_TOKEN;
  if (!token)
    throw new CliExit('a token is required: --token or UNDERSTUDY_TOKEN (one of admin.tokens)', EXIT_USAGE);
  const auth = { authorization: `Bearer ${token}` };
  const started = await api(new URL('/api/v1/drills', base), {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({
      record: opts.record,
      reason: opts.reason,
      ...(opts.target ? { target: opts.target } : {}),
    }),
  });
  if (started.status !== 202 || typeof started.body.id !== 'string') throw failure('drill', started);
  const id = started.body.id;
  if (!opts.json) out.write(`drill ${id} started on ${opts.record}\n`);
  const deadline = Date.now() + (opts.waitMs ?? 600_000);
  let report: DrillReport;
  for (;;) {
    const r = await api(new URL(`/api/v1/drills/${encodeURIComponent(id)}`, base), { headers: auth });
    if (r.status !== 200) throw failure(`drill ${id}`, r);
    report = r.body as unknown as DrillReport;
    if (report.status !== 'running') break;
    if (Date.now() >= deadline)
      throw new CliExit(`drill ${id} still running after ${opts.waitMs ?? 600_000} ms`);
    await new Promise((res) => setTimeout(res, opts.pollMs ?? 500));
  }
  out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatDrillReport(report));
  if (report.status !== 'done')
    throw new CliExit(`drill ${id} failed${report.error ? `: ${report.error}` : ''}`);
}

const secs = (at: number | null, since: number | undefined): string =>
  at === null || since === undefined ? '-' : `${((at - since) / 1000).toFixed(2)} s`;

/** A plain table: per target, how long after the override it served the drill answer, and after the restore. */
export function formatDrillReport(r: DrillReport): string {
  const head = `drill ${r.id} on ${r.record}: ${r.fromAnswer ?? '?'} → ${r.toAnswer ?? '?'} (${r.from.join(', ') || 'no data'} → ${r.to.join(', ') || 'no data'})`;
  const rows = [
    ['TARGET', 'INSTANCE', 'NEW ANSWER AFTER', 'RESTORED AFTER', 'ERROR'],
    ...r.targets.map((t) => [
      t.target,
      t.instance ?? '-',
      secs(t.servedNewAt, r.overrideAt),
      secs(t.restoredAt, r.restoreAt),
      t.error ?? '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd(),
  );
  const tail = `status: ${r.status}${r.error ? ` (${r.error})` : ''}`;
  return `${[head, ...lines, tail].join('\n')}\n`;
}
