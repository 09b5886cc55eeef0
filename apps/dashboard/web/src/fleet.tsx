/** Probes and targets: region heartbeats, probes' config hashes, and each target's last plan and error. */
import { useState } from 'preact/hooks';
import { apiGet, apiPost } from './api.js';
import type { Items, RegionView, TargetView } from './api-types.js';
import { useShared } from './context.js';
import { fmtAge, fmtMs } from './format.js';
import { useResource } from './hooks.js';
import { OutcomeLine, ReasonField, useMutation } from './mutation.js';

export function Fleet(props: { now: number; configHash: string | null }) {
  const { tick } = useShared();
  const regions = useResource((s) => apiGet<Items<RegionView>>('/regions', s), [tick]);
  const targets = useResource((s) => apiGet<Items<TargetView>>('/targets', s), [tick]);
  const now = props.now;
  return (
    <section aria-labelledby="fleet-h">
      <h2 id="fleet-h">Probes and targets</h2>
      {regions.error && (
        <p role="alert" class="error">
          Regions: {regions.error}
        </p>
      )}
      <table class="fleet" data-testid="regions">
        <caption>Regions and their probes</caption>
        <thead>
          <tr>
            <th scope="col">Region</th>
            <th scope="col">Heartbeat</th>
            <th scope="col">Probe</th>
            <th scope="col">Last batch</th>
            <th scope="col">Lag</th>
            <th scope="col">Config</th>
          </tr>
        </thead>
        <tbody>
          {regions.data?.items.flatMap((r) => {
            const state = r.stale ? (
              <span class="st-stale">◌ stale</span>
            ) : (
              <span class="st-up">● fresh</span>
            );
            const head = (
              <th scope="row" rowSpan={Math.max(1, r.probes.length)}>
                {r.region}
              </th>
            );
            const beat = (
              <td rowSpan={Math.max(1, r.probes.length)}>
                {state} <span class="muted small">{fmtAge(r.lastSeenAt, now)}</span>
              </td>
            );
            if (r.probes.length === 0)
              return [
                <tr key={r.region}>
                  {head}
                  {beat}
                  <td colSpan={4} class="muted">
                    no probe has reported
                  </td>
                </tr>,
              ];
            return r.probes.map((p, i) => (
              <tr key={`${r.region}/${p.probeId}`}>
                {i === 0 && head}
                {i === 0 && beat}
                <td>{p.probeId}</td>
                <td>{fmtAge(p.lastSeenAt, now)}</td>
                <td>{fmtMs(p.lagMs)}</td>
                <td>
                  {p.mismatch ? (
                    <span class="warn" title={`decider has ${props.configHash ?? '?'}`}>
                      ⚠ mismatch {short(p.configHash)}
                    </span>
                  ) : (
                    <span>✓ {short(p.configHash)}</span>
                  )}
                </td>
              </tr>
            ));
          })}
        </tbody>
      </table>
      {targets.error && (
        <p role="alert" class="error">
          Targets: {targets.error}
        </p>
      )}
      <div class="target-list" data-testid="targets">
        {targets.data?.items.map((t) => (
          <TargetCard key={t.target} t={t} now={now} />
        ))}
      </div>
    </section>
  );
}

function short(hash: string | null): string {
  return hash ? hash.slice(0, 8) : 'no hash';
}

function TargetCard(props: { t: TargetView; now: number }) {
  const { t, now } = props;
  const s = t.status;
  const [reason, setReason] = useState('');
  const [showPlan, setShowPlan] = useState(false);
  const m = useMutation();
  const slug = t.target.replace(/[^a-zA-Z0-9_-]/g, '_');
  const changes = s?.lastPlan?.reduce(
    (n, p) => n + p.creates.length + p.updates.length + p.deletes.length,
    0,
  );
  return (
    <article class="target" aria-labelledby={`target-${slug}`}>
      <h3 id={`target-${slug}`}>
        {t.target} <span class="muted small">{t.type}</span>
      </h3>
      {t.type === 'secondary' && (!t.instances || t.instances.length === 0) && (
        <p class="warn">Not seen serving yet (no DNS instance got its SOA).</p>
      )}
      {t.instances && t.instances.length > 0 && (
        <p class="small">
          {t.type === 'secondary' ? 'Seen serving, by DNS instance' : 'Instances'}:{' '}
          {t.instances.map((i) => `${i.instance} serial ${i.serial} (${fmtAge(i.at, now)})`).join('; ')}
        </p>
      )}
      {s === null ? (
        <p class="muted">
          {t.type === 'secondary'
            ? 'Fed by NOTIFY and zone transfer; its SOA serial is asked after each NOTIFY.'
            : 'No sync status (served directly from the zone state).'}
        </p>
      ) : (
        <>
          <p>
            {s.inSync ? <span class="st-up">✓ in sync</span> : <span class="warn">⟳ out of sync</span>} ·
            applied serial {s.appliedSerial ?? '–'} · last applied {fmtAge(s.lastAppliedAt, now)}
            {s.attempts > 0 && ` · ${s.attempts} failed attempts`}
            {s.nextRetryAt !== null && ` · retry ${fmtAge(s.nextRetryAt, now)}`}
          </p>
          {s.lastError && (
            <p class="error">
              ✗ {s.lastError.kind}: {s.lastError.message} ({fmtAge(s.lastError.at, now)})
            </p>
          )}
          {s.lastPlan && (
            <button type="button" aria-expanded={showPlan} onClick={() => setShowPlan(!showPlan)}>
              Last plan ({changes ?? 0} changes)
            </button>
          )}
          {showPlan && <pre class="json">{JSON.stringify(s.lastPlan, null, 2)}</pre>}
          {t.type !== 'builtin' && (
            <div class="actions">
              <ReasonField id={`force-${slug}`} value={reason} onInput={setReason} />
              <button
                type="button"
                disabled={m.busy}
                onClick={() =>
                  void m.run(`force plan on ${t.target}`, () =>
                    apiPost(`/targets/${encodeURIComponent(t.target)}/force`, { reason }),
                  )
                }
              >
                Force apply once
              </button>
            </div>
          )}
          <OutcomeLine outcome={m.outcome} />
        </>
      )}
    </article>
  );
}
