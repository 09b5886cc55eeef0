/** One HTTP POST of a webhook body, classified for the retry policy. */

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type AttemptResult =
  | { kind: 'delivered'; status: number }
  /** Network error, timeout, 5xx or 429: worth another try. */
  | { kind: 'retry'; error: string; status?: number; retryAfterMs?: number }
  /** Any other non-2xx: the receiver refuses this body, and would refuse it again. */
  | { kind: 'refused'; status: number };

/** Retry-After in seconds or as an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The most of a receiver's response body that is read (and thrown away). A short body is read to the end so
 * the connection can be reused; a longer one is cut off, so a receiver cannot make the decider read (and
 * buffer) an endless answer.
 */
export const MAX_RESPONSE_BYTES = 64 * 1024;

async function discardBody(res: Response): Promise<void> {
  const body = res.body;
  if (!body) return;
  const length = Number(res.headers.get('content-length'));
  if (length > MAX_RESPONSE_BYTES) return void (await body.cancel().catch(() => undefined));
  const reader = body.getReader();
  try {
    for (let read = 0; ;) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) return;
      read += chunk.value?.byteLength ?? 0;
      if (read > MAX_RESPONSE_BYTES) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // A body that breaks off changes nothing: the status is what counts.
  } finally {
    reader.releaseLock();
  }
}

export interface AttemptInput {
  fetch: FetchLike;
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
  /** Aborts the attempt when the notifier stops. */
  stop: AbortSignal;
  now: number;
}

export async function attemptDelivery(a: AttemptInput): Promise<AttemptResult> {
  const signal = AbortSignal.any([a.stop, AbortSignal.timeout(a.timeoutMs)]);
  let res: Response;
  try {
    res = await a.fetch(a.url, {
      method: 'POST',
      body: a.body,
      headers: a.headers,
      signal,
      redirect: 'manual',
    });
  } catch (err) {
    const timedOut = signal.aborted && !a.stop.aborted;
    const error = timedOut
      ? `timed out after ${a.timeoutMs} ms`
      : err instanceof Error
        ? err.message
        : String(err);
    return { kind: 'retry', error };
  }
  await discardBody(res);
  const status = res.status;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), a.now);
    return {
      kind: 'retry',
      status,
      error: `HTTP ${status}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    };
  }
  return { kind: 'refused', status };
}
