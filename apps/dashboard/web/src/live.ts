/**
 * The live stream (GET /api/v1/stream). `change` means "refetch what you show" (debounced here);
 * `timeline` carries new events, one or an array per message. If the stream cannot be opened (for
 * example reads need a token, which EventSource cannot send), the page polls instead.
 */
import type { DecisionEvent } from './api-types.js';

export type LiveState = 'connecting' | 'live' | 'polling';

export interface LiveHandlers {
  onChange: () => void;
  onTimeline: (events: DecisionEvent[]) => void;
  onState: (state: LiveState) => void;
}

const CHANGE_DEBOUNCE_MS = 250;
const POLL_MS = 5000;
const RETRY_STREAM_MS = 15_000;

export function connectLive(h: LiveHandlers): () => void {
  let es: EventSource | null = null;
  let changeTimer: number | undefined;
  let pollTimer: number | undefined;
  let retryTimer: number | undefined;
  let closed = false;

  const changed = (): void => {
    window.clearTimeout(changeTimer);
    changeTimer = window.setTimeout(h.onChange, CHANGE_DEBOUNCE_MS);
  };
  const startPolling = (): void => {
    if (pollTimer === undefined) pollTimer = window.setInterval(h.onChange, POLL_MS);
    h.onState('polling');
  };
  const stopPolling = (): void => {
    window.clearInterval(pollTimer);
    pollTimer = undefined;
  };

  const open = (): void => {
    if (closed) return;
    h.onState('connecting');
    es = new EventSource('/api/v1/stream');
    es.addEventListener('open', () => {
      stopPolling();
      h.onState('live');
      // Anything may have changed while we were away.
      changed();
    });
    es.addEventListener('change', changed);
    es.addEventListener('timeline', (ev: MessageEvent<string>) => {
      try {
        const data = JSON.parse(ev.data) as DecisionEvent | DecisionEvent[];
        h.onTimeline(Array.isArray(data) ? data : [data]);
      } catch {
        changed();
      }
    });
    es.addEventListener('error', () => {
      // EventSource retries by itself unless the server refused the stream outright.
      if (es?.readyState === EventSource.CLOSED) {
        es = null;
        startPolling();
        retryTimer = window.setTimeout(open, RETRY_STREAM_MS);
      } else {
        h.onState('connecting');
      }
    });
  };
  open();

  return () => {
    closed = true;
    es?.close();
    stopPolling();
    window.clearTimeout(changeTimer);
    window.clearTimeout(retryTimer);
  };
}
