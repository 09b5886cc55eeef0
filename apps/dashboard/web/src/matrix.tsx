/**
 * Region matrix: per-region totals from /matrix (cheap at any scale), and one page of checks × regions
 * from /checks. Only a page of rows is ever rendered, so 10,000 checks stay usable.
 */
import { useState } from 'preact/hooks';
import { apiGet } from './api.js';
import type { CellView, CheckPage, CheckView, MatrixView } from './api-types.js';
import { useShared } from './context.js';
import { cellState, fmtAge, fmtMs, plural, stateLabel, STATE_ICON } from './format.js';
import { useDebounced, useResource } from './hooks.js';

const PAGE_SIZES = [25, 50, 100, 200];
const FILTERS = ['all', 'up', 'down', 'unknown', 'stale'] as const;

export function Matrix(props: { now: number }) {
  const { tick } = useShared();
  const [filter, setFilter] = useState<(typeof FILTERS)[number]>('all');
  const [search, setSearch] = useState('');
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(50);
  const q = useDebounced(search.trim(), 250);
  const matrix = useResource((signal) => apiGet<MatrixView>('/matrix', signal), [tick]);
  const page = useResource(
    (signal) => {
      const params = new URLSearchParams({ offset: String(offset), limit: String(limit) });
      if (filter !== 'all') params.set('state', filter);
      if (q) params.set('q', q);
      return apiGet<CheckPage>(`/checks?${params.toString()}`, signal);
    },
    [tick, offset, limit, filter, q],
  );
  const regions = matrix.data?.regions ?? [];
  const data = page.data;
  const total = data?.total ?? 0;
  const resetTo =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setOffset(0);
    };
  return (
    <section aria-labelledby="matrix-h" aria-busy={page.loading}>
      <h2 id="matrix-h">Region matrix</h2>
      {matrix.error && (
        <p role="alert" class="error">
          Matrix: {matrix.error}
        </p>
      )}
      {matrix.data && <Totals view={matrix.data} />}
      <div class="controls" role="search">
        <label for="matrix-filter">State</label>
        <select
          id="matrix-filter"
          value={filter}
          onChange={(e) => resetTo(setFilter)(e.currentTarget.value as (typeof FILTERS)[number])}
        >
          {FILTERS.map((f) => (
            <option value={f} key={f}>
              {f === 'all' ? 'all states' : stateLabel(f)}
            </option>
          ))}
        </select>
        <label for="matrix-search">Search checks</label>
        <input
          id="matrix-search"
          type="search"
          value={search}
          placeholder="id or target"
          onInput={(e) => resetTo(setSearch)(e.currentTarget.value)}
        />
        <label for="matrix-size">Rows</label>
        <select
          id="matrix-size"
          value={String(limit)}
          onChange={(e) => resetTo(setLimit)(Number(e.currentTarget.value))}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={String(n)}>
              {n}
            </option>
          ))}
        </select>
      </div>
      {page.error && (
        <p role="alert" class="error">
          Checks: {page.error}
        </p>
      )}
      <Pager offset={offset} limit={limit} total={total} onOffset={setOffset} />
      <div class="table-wrap">
        <table class="matrix" data-testid="matrix">
          <caption class="sr-only">
            Checks by region: state, latency and failure reason. {plural(total, 'check')} match.
          </caption>
          <thead>
            <tr>
              <th scope="col">Check</th>
              <th scope="col">Verdict</th>
              {regions.map((r) => (
                <th scope="col" key={r}>
                  {r}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {data?.items.map((c) => (
              <Row key={c.id} check={c} regions={regions} now={props.now} />
            ))}
            {data && data.items.length === 0 && (
              <tr>
                <td colSpan={regions.length + 2}>No checks match.</td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Totals(props: { view: MatrixView }) {
  return (
    <ul class="totals" data-testid="matrix-totals" aria-label="Totals per region">
      {props.view.regions.map((r) => {
        const t = props.view.totals[r] ?? { up: 0, down: 0, unknown: 0, stale: 0 };
        return (
          <li key={r} data-region={r}>
            <strong>{r}</strong>{' '}
            <span class="st-up">
              {STATE_ICON.up} {t.up} up
            </span>{' '}
            <span class="st-down">
              {STATE_ICON.down} {t.down} down
            </span>{' '}
            <span class="st-unknown">
              {STATE_ICON.unknown} {t.unknown} unknown
            </span>{' '}
            <span class="st-stale">
              {STATE_ICON.stale} {t.stale} stale
            </span>
          </li>
        );
      })}
      <li class="muted">{plural(props.view.checks, 'check')} in all</li>
    </ul>
  );
}

function Pager(props: { offset: number; limit: number; total: number; onOffset(o: number): void }) {
  const { offset, limit, total } = props;
  const last = Math.min(offset + limit, total);
  return (
    <nav class="pager" aria-label="Matrix pages">
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => props.onOffset(Math.max(0, offset - limit))}
      >
        ‹ Previous
      </button>
      <span data-testid="matrix-range">
        {total === 0 ? '0 checks' : `${offset + 1}–${last} of ${total.toLocaleString('en')}`}
      </span>
      <button type="button" disabled={last >= total} onClick={() => props.onOffset(offset + limit)}>
        Next ›
      </button>
    </nav>
  );
}

function Row(props: { check: CheckView; regions: string[]; now: number }) {
  const c = props.check;
  const byRegion = new Map(c.regions.map((r) => [r.region, r]));
  return (
    <tr data-check={c.id}>
      <th scope="row">
        <span class="check-id">{c.id}</span>
        <span class="muted small">
          {c.type} {c.target}
        </span>
      </th>
      <td class={`cell st-${c.verdict}`} data-state={c.verdict}>
        {stateLabel(c.verdict)}
        {c.insufficient && <span class="small"> (held: too few fresh regions)</span>}
        <span class="muted small">changed {fmtAge(c.verdictChangedAt, props.now)}</span>
      </td>
      {props.regions.map((r) => (
        <Cell key={r} cell={byRegion.get(r)} now={props.now} />
      ))}
    </tr>
  );
}

function Cell(props: { cell: CellView | undefined; now: number }) {
  const cell = props.cell;
  if (!cell) return <td class="cell muted">– no data</td>;
  const state = cellState(cell.state, cell.stale);
  const last = cell.last;
  const why = last && !last.ok ? [last.reason, last.message].filter(Boolean).join(': ') : '';
  const title = [
    `${cell.region}: ${state}`,
    `ok×${cell.consecutiveOk} fail×${cell.consecutiveFail}`,
    `observed ${fmtAge(cell.lastObservedAt, props.now)}`,
    why,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <td class={`cell st-${state}`} data-state={state} data-region={cell.region} title={title}>
      <span class="state">{stateLabel(state)}</span>
      {last && <span class="latency">{fmtMs(last.timings.total)}</span>}
      {why && <span class="reason-text">{why}</span>}
    </td>
  );
}
