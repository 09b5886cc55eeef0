/** The one page: status, region matrix, records, timeline, probes and targets, kept live over SSE. */
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { apiGet } from './api.js';
import type { DecisionEvent, StatusView } from './api-types.js';
import { SharedContext, type Shared } from './context.js';
import { Fleet } from './fleet.js';
import { useNow, useResource } from './hooks.js';
import { connectLive, type LiveState } from './live.js';
import { Matrix } from './matrix.js';
import { Records } from './records.js';
import { StatusBar } from './status-bar.js';
import { Timeline } from './timeline.js';
import { TokenField } from './token-field.js';

const LIVE_EVENTS_KEPT = 500;
const ANNOUNCED = new Set([
  'answer-switched',
  'all-down',
  'guard-hold',
  'override-set',
  'drill-finished',
  'sync-failed',
]);

export function App() {
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState<LiveState>('connecting');
  const [liveEvents, setLiveEvents] = useState<DecisionEvent[]>([]);
  const [message, setMessage] = useState('');
  const now = useNow(1000);
  const refresh = useCallback(() => setTick((t) => t + 1), []);
  const announce = useCallback((m: string) => setMessage(m), []);
  const status = useResource(
    async (signal) => {
      const sent = Date.now();
      const s = await apiGet<StatusView>('/status', signal);
      return { s, skew: s.now - (sent + Date.now()) / 2 };
    },
    [tick],
  );

  useEffect(
    () =>
      connectLive({
        onChange: refresh,
        onState: setLive,
        onTimeline: (events) => {
          setLiveEvents((old) => [...events.slice().reverse(), ...old].slice(0, LIVE_EVENTS_KEPT));
          const notable = events.filter((e) => ANNOUNCED.has(e.type));
          const lastNotable = notable[notable.length - 1];
          if (lastNotable) setMessage(lastNotable.message);
        },
      }),
    [refresh],
  );

  // Every section shows times on the server's clock.
  const serverNow = now + (status.data?.skew ?? 0);
  const shared = useMemo<Shared>(
    () => ({ tick, skew: status.data?.skew ?? 0, announce, refresh }),
    [tick, status.data, announce, refresh],
  );
  return (
    <SharedContext.Provider value={shared}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header>
        <h1>Understudy</h1>
        <span class="muted small">
          {status.data ? `v${status.data.s.version} · config ${status.data.s.configHash.slice(0, 8)}` : ''}
        </span>
        <TokenField onChange={refresh} needed={status.needsToken} />
        {status.error && (
          <p role="alert" class="error">
            Status: {status.error}
          </p>
        )}
        <StatusBar status={status.data?.s ?? null} now={serverNow} live={live} />
        <nav aria-label="Sections">
          <a href="#matrix-h">Region matrix</a>
          <a href="#records-h">Records</a>
          <a href="#timeline-h">Timeline</a>
          <a href="#fleet-h">Probes and targets</a>
        </nav>
      </header>
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {message}
      </div>
      <main id="main" tabIndex={-1}>
        <Records now={serverNow} />
        <Matrix now={serverNow} />
        <Timeline live={liveEvents} />
        <Fleet now={serverNow} configHash={status.data?.s.configHash ?? null} />
      </main>
    </SharedContext.Provider>
  );
}
