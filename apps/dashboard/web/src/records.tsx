/** Records: the answer served now, per target, with a live countdown to effectiveBy, and the controls. */
import { useState } from 'preact/hooks';
import { apiGet, apiPost, recordPath } from './api.js';
import type { Items, OverrideMode, RecordView } from './api-types.js';
import { useShared } from './context.js';
import { fmtAge, fmtDateTime, fmtDuration, fmtTime, stateLabel, tierName } from './format.js';
import { useResource } from './hooks.js';
import { OutcomeLine, ReasonField, useMutation } from './mutation.js';

export function Records(props: { now: number }) {
  const { tick } = useShared();
  const res = useResource((signal) => apiGet<Items<RecordView>>('/records', signal), [tick]);
  return (
    <section aria-labelledby="records-h" aria-busy={res.loading}>
      <h2 id="records-h">Records</h2>
      {res.error && (
        <p role="alert" class="error">
          Records: {res.error}
        </p>
      )}
      {res.data?.items.length === 0 && <p>No failover records are configured.</p>}
      <div class="records">
        {res.data?.items.map((r) => (
          <RecordCard key={r.id} rec={r} now={props.now} />
        ))}
      </div>
    </section>
  );
}

export function activeLabel(rec: RecordView): string {
  const a = rec.active;
  if (a.kind === 'none') return 'NODATA (no answer served)';
  if (a.kind === 'fallback') return `FALLBACK ${a.name ?? ''}`;
  const i = rec.answers.findIndex((x) => x.name === a.name);
  return `${tierName(i < 0 ? 0 : i)} ${a.name ?? ''}`;
}

function RecordCard(props: { rec: RecordView; now: number }) {
  const { rec, now } = props;
  const [reason, setReason] = useState('');
  const m = useMutation();
  const slug = rec.id.replace(/[^a-zA-Z0-9_-]/g, '_');
  const headingId = `rec-${slug}`;
  const setOverride = (answer: string, mode: OverrideMode): Promise<void> =>
    m.run(`override ${answer} → ${mode}`, () =>
      apiPost(`${recordPath(rec)}/overrides`, { answer, mode, reason }),
    );
  return (
    <article class="record" aria-labelledby={headingId} data-record={rec.id}>
      <h3 id={headingId}>
        {rec.name} <span class="rtype">{rec.type}</span> <span class="muted small">TTL {rec.ttl} s</span>
        {rec.ttlNow !== rec.ttl && (
          <span class="warn small" data-testid="record-ttl-now">
            {' '}
            · degraded: serving TTL {rec.ttlNow} s
          </span>
        )}
      </h3>
      <p class="current" data-testid="record-active">
        <span class={rec.allDown ? 'st-down' : 'st-up'}>{rec.allDown ? '▼ all answers down · ' : '● '}</span>
        Serving <strong>{activeLabel(rec)}</strong>: <code>{rec.values.join(', ') || '–'}</code>
        {rec.damped && (
          <span class="warn" data-testid="record-damped">
            {' '}
            · ⚠ flap-damped
            {rec.resumesAt !== null &&
              `: failback resumes ${fmtDateTime(rec.resumesAt)} (${fmtAge(rec.resumesAt, now)})`}
          </span>
        )}
      </p>
      {/* Issue 14 part 3: one line per steering rule: where its clients are and what they are served. */}
      {rec.steered?.map((r, i) => (
        <p class="small" data-testid="record-steered" key={i}>
          clients in {r.match.join(', ')} → <strong>{r.answer ?? 'default'}</strong>:{' '}
          <code>{r.values.join(', ') || '–'}</code>
        </p>
      ))}
      <p class="muted small">
        switched {rec.switchedAt ? `${fmtTime(rec.switchedAt)} (${fmtAge(rec.switchedAt, now)})` : 'never'}
        {rec.switchedSerial !== null && ` · serial ${rec.switchedSerial}`}
      </p>
      <TargetTable rec={rec} now={now} />
      {rec.pendingFailback && (
        <FailbackPending rec={rec} now={now} reason={reason} run={m.run} busy={m.busy} />
      )}
      <table class="answers">
        <caption class="sr-only">Answers of {rec.name} and their overrides</caption>
        <thead>
          <tr>
            <th scope="col">Answer</th>
            <th scope="col">Values</th>
            <th scope="col">Check</th>
            <th scope="col">Override</th>
          </tr>
        </thead>
        <tbody>
          {rec.answers.map((a, i) => (
            <tr key={a.name} data-answer={a.name}>
              <th scope="row">
                {tierName(i)} <span class="muted">{a.name}</span>
              </th>
              <td>
                <code>{a.values.join(', ')}</code>
              </td>
              <td class={`st-${a.health}`}>
                {stateLabel(a.health)}{' '}
                <span class="muted small">
                  {a.addresses
                    ? `${a.minHealthy ?? 1} of ${a.addresses.length} needed`
                    : (a.check ?? 'no check')}
                </span>
                {a.addresses && (
                  <ul class="addresses small" data-testid={`addresses-${a.name}`}>
                    {a.addresses.map((ad) => (
                      <li key={ad.value} class={`st-${ad.health}`}>
                        <code>{ad.value}</code> {stateLabel(ad.health)}{' '}
                        <span class="muted">{ad.check ?? 'no check'}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td>
                <div class="modes" role="group" aria-label={`Override for ${a.name}`}>
                  {(['up', 'down', 'obey'] as const).map((mode) => (
                    <button
                      key={mode}
                      type="button"
                      aria-pressed={a.override === mode}
                      disabled={m.busy}
                      data-testid={`override-${a.name}-${mode}`}
                      onClick={() => void setOverride(a.name, mode)}
                    >
                      {mode === 'obey' ? 'obey checks' : `force ${mode}`}
                    </button>
                  ))}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="actions">
        <ReasonField id={`reason-${slug}`} value={reason} onInput={setReason} />
        <button
          type="button"
          disabled={m.busy}
          onClick={() =>
            void m.run('drill', () => apiPost('/drills', { record: `${rec.name}/${rec.type}`, reason }))
          }
        >
          Start drill
        </button>
      </div>
      <OutcomeLine outcome={m.outcome} testid="record-outcome" />
    </article>
  );
}

function TargetTable(props: { rec: RecordView; now: number }) {
  const { rec, now } = props;
  const names = new Set([...rec.targets.map((t) => t.target), ...Object.keys(rec.effectiveBy)]);
  if (names.size === 0) return <p class="muted">No target has confirmed an answer yet.</p>;
  const byName = new Map(rec.targets.map((t) => [t.target, t]));
  return (
    <table class="targets">
      <caption class="sr-only">Per target: sync state and when caches will have the answer</caption>
      <thead>
        <tr>
          <th scope="col">Target</th>
          <th scope="col">Serves</th>
          <th scope="col">Published</th>
          <th scope="col">Effective by</th>
        </tr>
      </thead>
      <tbody>
        {[...names].map((name) => {
          const t = byName.get(name);
          const eff = rec.effectiveBy[name];
          return (
            <tr key={name} data-target={name}>
              <th scope="row">
                {name} <span class="muted small">{t?.type ?? ''}</span>
              </th>
              <td>
                {t === undefined || t.inSync ? (
                  <span>✓ current answer</span>
                ) : (
                  <span class="warn">⟳ syncing (serial {t.appliedSerial ?? '–'})</span>
                )}
              </td>
              <td>{fmtTime(rec.publishedAt[name])}</td>
              <td data-testid="effective-by">
                <Countdown at={eff} now={now} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function Countdown(props: { at: number | undefined; now: number }) {
  if (props.at === undefined) return <span>– not yet published</span>;
  const left = props.at - props.now;
  if (left > 0)
    return (
      <span class="countdown" title={fmtTime(props.at)}>
        ◔ in {fmtDuration(left)} <span class="muted small">({fmtTime(props.at)})</span>
      </span>
    );
  return <span>✓ effective since {fmtTime(props.at)}</span>;
}

function FailbackPending(props: {
  rec: RecordView;
  now: number;
  reason: string;
  busy: boolean;
  run: (what: string, action: () => Promise<unknown>) => Promise<void>;
}) {
  const p = props.rec.pendingFailback!;
  return (
    <div class="failback" role="note">
      ↺ Failback to <strong>{p.to}</strong> pending:{' '}
      {p.dueAt === null ? 'waiting for approval' : `due in ${fmtDuration(p.dueAt - props.now)}`}
      <button
        type="button"
        disabled={props.busy}
        onClick={() =>
          void props.run('approve failback', () =>
            apiPost(`${recordPath(props.rec)}/approve-failback`, { reason: props.reason }),
          )
        }
      >
        Approve failback
      </button>
    </div>
  );
}
