/** Small hooks: a ticking clock, and a fetched resource that keeps its last data while refetching. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText } from './api.js';

/** The current time, re-rendered every periodMs (for countdowns and ages). */
export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), periodMs);
    return () => window.clearInterval(id);
  }, [periodMs]);
  return now;
}

export interface Resource<T> {
  data: T | null;
  error: string | null;
  /** The server wants a token for reads (dashboard.readAuth). */
  needsToken: boolean;
  loading: boolean;
  reload(): void;
}

/** Loads when deps change; a newer load aborts the older one, and old data stays shown meanwhile. */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [needsToken, setNeedsToken] = useState(false);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setLoading(true);
    loadRef.current(ctl.signal).then(
      (d) => {
        if (ctl.signal.aborted) return;
        setData(d);
        setError(null);
        setNeedsToken(false);
        setLoading(false);
      },
      (err: unknown) => {
        if (ctl.signal.aborted) return;
        setError(errorText(err));
        setNeedsToken(err instanceof ApiError && (err.status === 401 || err.status === 403));
        setLoading(false);
      },
    );
    return () => ctl.abort();
  }, [...deps, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, needsToken, loading, reload };
}

/** A value that follows `value` after it has been still for delayMs (search boxes). */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [out, setOut] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setOut(value), delayMs);
    return () => window.clearTimeout(id);
  }, [value, delayMs]);
  return out;
}
