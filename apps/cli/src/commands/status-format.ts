/** Renders a StatusView as the plain-text tables `understudy status` prints. */
import type { StatusView } from '@understudy/core';

/** An instant in UTC with its zone (ISO 8601, whole seconds, `Z`), as every time `status` prints. */
export function utc(t: number): string {
  return new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A record as /status gives it; older servers' has no resumesAt. */
type Rec = Omit<StatusView['records'][number], 'resumesAt'> & { resumesAt?: number | null };

/** `2026-12-07T10:04:31Z (12s ago)`: the absolute time first, so a pasted report stays true. */
function ago(t: number | null, now: number): string {
  if (t === null) return '-';
  const s = Math.round((now - t) / 1000);
  return `${utc(t)} (${s >= 0 ? `${s}s ago` : `in ${-s}s`})`;
}

function pendingWhen(r: Rec, now: number): string {
  if (r.damped) {
    const until = r.resumesAt === undefined || r.resumesAt === null ? '' : ` until ${ago(r.resumesAt, now)}`;
    return `suspended (flapping)${until}`;
  }
  const due = r.pendingFailback?.dueAt ?? null;
  return due === null ? 'awaits approval' : `at ${ago(due, now)}`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function formatStatus(
  v: Omit<StatusView, 'secondaries' | 'records'> & {
    epoch?: number;
    secondaries?: StatusView['secondaries'];
    records: Rec[];
  },
  now: number,
): string {
  const head = `as of ${utc(now)}  serial ${v.serial}${v.epoch === undefined ? '' : `  epoch ${v.epoch}`}${v.guard.holding ? '  MASS-FAILURE GUARD HOLDING' : ''}`;
  const records = [
    ['RECORD', 'ANSWER', 'VALUES', 'TTL', 'SWITCHED', 'EFFECTIVE BY', 'NOTE'],
    ...v.records.map((r) => {
      const eff = Object.entries(r.effectiveBy)
        .map(([t, at]) => `${t} ${ago(at, now)}`)
        .join(', ');
      const notes = [
        r.allDown ? 'ALL DOWN' : '',
        r.damped && !r.pendingFailback
          ? `flap-damped${r.resumesAt ? `, failback resumes ${ago(r.resumesAt, now)}` : ''}`
          : r.damped
            ? 'flap-damped'
            : '',
        r.degraded ? `degraded: TTL ${r.ttlNow ?? r.ttl}s` : '', // issue 14
        // Issue 14 part 3: where each steering rule's clients go (default: the record's own answer).
        r.steered?.length
          ? `steering ${r.steered.map((x) => `${x.match.join(',')}→${x.answer ?? 'default'}`).join(' ')}`
          : '',
        r.pendingFailback ? `failback to ${r.pendingFailback.to} ${pendingWhen(r, now)}` : '',
        ...Object.entries(r.overrides).map(([a, m]) => `override ${a}=${m}`),
      ].filter(Boolean);
      return [
        r.id,
        r.active,
        r.values.join(',') || '(no data)',
        `${r.ttl}s`,
        ago(r.switchedAt, now),
        eff || '-',
        notes.join('; '),
      ];
    }),
  ];
  const regions = v.regions.map((r) => r.region);
  const checks = [
    ['CHECK', 'VERDICT', ...regions],
    ...v.checks.map((c) => [
      c.id,
      c.verdict +
        (c.insufficient ? ' (held: too few voters)' : '') +
        // A composite has no region cells (issue 14): its rule explains the verdict.
        (c.type === 'composite' ? ` (composite: ${c.target})` : ''),
      ...regions.map((region) => {
        const r = c.regions.find((x) => x.region === region);
        if (!r) return '-';
        const why = r.last && !r.last.ok ? ` ${r.last.reason ?? ''}` : '';
        const ms = r.last ? ` ${Math.round(r.last.timings.total)}ms` : '';
        return `${r.stale ? 'stale' : r.state}${why}${ms}`;
      }),
    ]),
  ];
  const stale = v.regions.filter((r) => r.stale).map((r) => r.region);
  // Zone-transfer secondaries (issue 15); older servers' /status has no `secondaries`.
  const secondaries = v.secondaries ?? [];
  const secondaryRows = [
    ['SECONDARY', 'SERIAL', 'SEEN'],
    ...secondaries.map((s) => [
      s.address,
      s.serial === null ? 'not seen' : String(s.serial),
      ago(s.seenAt, now),
    ]),
  ];
  return [
    head,
    '',
    table(records),
    '',
    table(checks),
    ...(secondaries.length ? ['', table(secondaryRows)] : []),
    ...(stale.length ? ['', `stale regions: ${stale.join(', ')}`] : []),
  ].join('\n');
}
