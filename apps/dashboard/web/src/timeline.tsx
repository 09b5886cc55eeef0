/** Timeline: events newest first, evidence on demand, live events prepended, older pages on request. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiGet, errorText } from './api.js';
import type { DecisionEvent, EventPage } from './api-types.js';
import { useShared } from './context.js';
import { fmtDateTime, fmtTime } from './format.js';
import { useResource } from './hooks.js';
import { Evidence } from './evidence.js';

const PAGE = 50;
const SEVERITY_ICON = { info: '·', warning: '!', critical: '‼' } as const;
const TYPES = [
  'answer-switched',
  'verdict-changed',
  'all-down',
  'failback-pending',
  'failback-approved',
  'override-set',
  'guard-hold',
  'guard-release',
  'flap-damped',
  'region-stale',
  'sync-failed',
  'plan-refused',
  'plan-forced',
  'drill-started',
  'drill-finished',
];

export function Timeline(props: { live: DecisionEvent[] }) {
  const { tick } = useShared();
  const [type, setType] = useState('');
  const [older, setOlder] = useState<DecisionEvent[]>([]);
  const [olderBefore, setOlderBefore] = useState<number | null | undefined>(undefined);
  const [olderError, setOlderError] = useState<string | null>(null);
  const typeQ = type ? `&type=${encodeURIComponent(type)}` : '';
  const first = useResource(
    (signal) => apiGet<EventPage>(`/events?limit=${PAGE}${typeQ}`, signal),
    [tick, typeQ],
  );
  useEffect(() => {
    setOlder([]);
    setOlderBefore(undefined);
  }, [typeQ]);
  const items = useMemo(() => {
    const bySeq = new Map<number, DecisionEvent>();
    for (const e of [...props.live, ...(first.data?.items ?? []), ...older]) {
      if (!type || e.type === type) bySeq.set(e.seq, e);
    }
    return [...bySeq.values()].sort((a, b) => b.seq - a.seq);
  }, [props.live, first.data, older, type]);
  const nextBefore = olderBefore === undefined ? (first.data?.nextBefore ?? null) : olderBefore;
  const loadOlder = async (): Promise<void> => {
    if (nextBefore === null) return;
    try {
      const page = await apiGet<EventPage>(`/events?before=${nextBefore}&limit=${PAGE}${typeQ}`);
      setOlder((o) => [...o, ...page.items]);
      setOlderBefore(page.nextBefore);
      setOlderError(null);
    } catch (err) {
      setOlderError(errorText(err));
    }
  };
  return (
    <section aria-labelledby="timeline-h" aria-busy={first.loading}>
      <h2 id="timeline-h">Timeline</h2>
      <div class="controls">
        <label for="timeline-type">Event type</label>
        <select id="timeline-type" value={type} onChange={(e) => setType(e.currentTarget.value)}>
          <option value="">all events</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      </div>
      {first.error && (
        <p role="alert" class="error">
          Events: {first.error}
        </p>
      )}
      <ol class="timeline" data-testid="timeline">
        {items.map((e) => (
          <EventItem key={e.seq} event={e} />
        ))}
      </ol>
      {items.length === 0 && !first.loading && <p>No events yet.</p>}
      {olderError && (
        <p role="alert" class="error">
          {olderError}
        </p>
      )}
      {nextBefore !== null && items.length > 0 && (
        <button type="button" onClick={() => void loadOlder()}>
          Older events
        </button>
      )}
    </section>
  );
}

function EventItem(props: { event: DecisionEvent }) {
  const e = props.event;
  const [open, setOpen] = useState(false);
  const detailId = `ev-${e.seq}`;
  const subject = [e.record, e.check, e.target, e.region, e.probe].filter(Boolean).join(' · ');
  return (
    <li class={`event sev-${e.severity}`} data-type={e.type} data-seq={e.seq}>
      <div class="event-head">
        <time dateTime={new Date(e.at).toISOString()} title={fmtDateTime(e.at)}>
          {fmtTime(e.at)}
        </time>
        <span class="sev">
          {SEVERITY_ICON[e.severity]} {e.severity}
        </span>
        <span class="etype">{e.type}</span>
        <span class="msg">{e.message}</span>
        {subject && <span class="muted small">{subject}</span>}
        {e.from !== undefined && e.to !== undefined && (
          <span class="small">
            {e.from} → {e.to}
          </span>
        )}
        {e.actor && (
          <span class="actor" data-testid="event-actor">
            by {e.actor.name}: “{e.actor.reason}”
          </span>
        )}
        <button type="button" aria-expanded={open} aria-controls={detailId} onClick={() => setOpen(!open)}>
          {open ? 'Hide evidence' : 'Evidence'}
        </button>
      </div>
      {open && (
        <div id={detailId} class="evidence">
          <Evidence event={e} />
        </div>
      )}
    </li>
  );
}
