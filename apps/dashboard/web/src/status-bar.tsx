/** The summary line: serial, leader, counts, and the mass-failure guard with its release. */
import { useState } from 'preact/hooks';
import { apiPost } from './api.js';
import type { StatusView } from './api-types.js';
import { fmtAge, plural } from './format.js';
import { OutcomeLine, ReasonField, useMutation } from './mutation.js';

export function StatusBar(props: { status: StatusView | null; now: number; live: string }) {
  const s = props.status;
  if (!s) return <p class="status-bar">Loading status…</p>;
  const c = s.counts;
  return (
    <div class="status-bar" data-testid="status-bar">
      <span>
        serial <strong>{s.serial}</strong> · epoch {s.epoch}
      </span>
      <span>leader {s.leader ? `${s.leader.holder} (epoch ${s.leader.epoch})` : '–'}</span>
      <span>
        {plural(c.checks, 'check')}: <span class="st-up">▲ {c.up} up</span> ·{' '}
        <span class="st-down">▼ {c.down} down</span> · <span class="st-unknown">? {c.unknown} unknown</span>
      </span>
      <span>
        {plural(c.regions, 'region')}
        {c.staleRegions > 0 && <span class="st-stale"> · ◌ {c.staleRegions} stale</span>}
      </span>
      <span>
        {plural(c.probes, 'probe')}
        {c.mismatchedProbes > 0 && <span class="warn"> · ⚠ {c.mismatchedProbes} config mismatch</span>}
      </span>
      <span class="live" data-testid="live-state">
        {props.live === 'live' ? '● live' : props.live === 'polling' ? '◐ polling' : '○ connecting'}
      </span>
      <span class="muted">zone generated {fmtAge(s.zoneGeneratedAt, props.now)}</span>
      {s.guard.holding && <GuardBanner since={s.guard.since} released={s.guard.released} now={props.now} />}
    </div>
  );
}

function GuardBanner(props: { since: number | null; released: boolean; now: number }) {
  const [reason, setReason] = useState('');
  const m = useMutation();
  return (
    <div class="guard" role="region" aria-label="Mass-failure guard">
      <strong>⛨ Mass-failure guard holding</strong> since {fmtAge(props.since, props.now)}: down verdicts are
      held and answers stay where they are.
      {props.released ? (
        <span> Released by an operator.</span>
      ) : (
        <span class="actions">
          <ReasonField id="guard-reason" value={reason} onInput={setReason} />
          <button
            type="button"
            disabled={m.busy}
            onClick={() => void m.run('release guard', () => apiPost('/guard/release', { reason }))}
          >
            Release guard
          </button>
        </span>
      )}
      <OutcomeLine outcome={m.outcome} />
    </div>
  );
}
