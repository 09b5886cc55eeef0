/** The evidence behind one event: votes per region, the quorum rule, thresholds and timing. */
import type { DecisionEvent } from './api-types.js';
import { cellState, fmtDuration, fmtMs, fmtTime, stateLabel } from './format.js';

type Ev = DecisionEvent['evidence'];

export function Evidence(props: { event: DecisionEvent }) {
  const ev = props.event.evidence;
  const known = new Set(['checks', 'timing', 'guard', 'flips']);
  const rest = Object.entries(ev).filter(([k, v]) => !known.has(k) && v !== undefined);
  return (
    <div data-testid="evidence">
      {ev.checks?.map((c) => (
        <CheckEvidence key={c.check} c={c} at={props.event.at} />
      ))}
      {ev.timing && <Timing t={ev.timing} />}
      {ev.guard && (
        <p>
          Guard: {Math.round(ev.guard.share * 100)}% of checks down at once ({ev.guard.counted} of{' '}
          {ev.guard.total}), threshold {Math.round(ev.guard.threshold * 100)}% within{' '}
          {fmtDuration(ev.guard.window)}. Checks: {ev.guard.checks.join(', ') || '–'}
        </p>
      )}
      {ev.flips && (
        <p>
          Flips: {ev.flips.count} within {fmtDuration(ev.flips.window)} (max {ev.flips.maxFlips})
        </p>
      )}
      {rest.length > 0 && <pre class="json">{JSON.stringify(Object.fromEntries(rest), null, 2)}</pre>}
      {!ev.checks && !ev.timing && !ev.guard && !ev.flips && rest.length === 0 && (
        <p class="muted">No further evidence recorded.</p>
      )}
    </div>
  );
}

function CheckEvidence(props: { c: NonNullable<Ev['checks']>[number]; at: number }) {
  const c = props.c;
  // A composite check (issue 14) has no region votes: its children's verdicts are the evidence.
  if (c.children)
    return (
      <div class="check-evidence">
        <p>
          Check <strong>{c.check}</strong> (composite): verdict {stateLabel(c.verdict)} by rule{' '}
          <code>{c.rule}</code>. Children:{' '}
          {c.children.map((ch) => `${ch.check} ${stateLabel(ch.verdict)}`).join(', ') || '–'}.
        </p>
      </div>
    );
  return (
    <div class="check-evidence">
      <p>
        Check <strong>{c.check}</strong>: verdict {stateLabel(c.verdict)} by rule <code>{c.rule}</code>:{' '}
        {c.downVotes} down of {c.voters} fresh voters, {c.required} needed (min voters {c.minVoters}). fall{' '}
        {c.fall}, rise {c.rise}, interval {fmtMs(c.interval)}, timeout {fmtMs(c.timeout)}.
      </p>
      <table class="votes">
        <caption class="sr-only">Votes of each region for {c.check}</caption>
        <thead>
          <tr>
            <th scope="col">Region</th>
            <th scope="col">Vote</th>
            <th scope="col">In a row</th>
            <th scope="col">Last result</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {c.votes.map((v) => (
            <tr key={v.region}>
              <th scope="row">{v.region}</th>
              <td class={`st-${cellState(v.state, v.stale)}`}>{stateLabel(cellState(v.state, v.stale))}</td>
              <td>
                ok×{v.consecutiveOk} fail×{v.consecutiveFail}
              </td>
              <td>
                {v.lastObservedAt === null ? 'never' : `${fmtDuration(props.at - v.lastObservedAt)} before`}
              </td>
              <td>{[v.reason, v.message].filter(Boolean).join(': ') || '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Timing(props: { t: NonNullable<Ev['timing']> }) {
  const t = props.t;
  return (
    <p>
      Timing: TTL {t.ttl} s{t.detectBudget !== undefined && <>, detection budget {fmtMs(t.detectBudget)}</>}
      {t.failbackAfter !== undefined && (
        <>
          , failback after {t.failbackAfter === 'manual' ? 'manual approval' : fmtDuration(t.failbackAfter)}
        </>
      )}
      {t.switchedAt !== undefined && <>, switched {fmtTime(t.switchedAt)}</>}
      {t.expectedEffectiveBy !== undefined && <>, caches drained by {fmtTime(t.expectedEffectiveBy)}</>}.
    </p>
  );
}
