/** Reading how long Cloudflare asks us to wait from a 429's headers. */

interface HeaderSource {
  get(name: string): string | null;
}

/**
 * Retry-After (seconds or an HTTP date), else the reset of the `Ratelimit` header in either the
 * structured-field form (`"default";r=0;t=30`) or the older list form (`limit=…, remaining=0, reset=30`).
 */
export function retryAfterMs(headers: HeaderSource | undefined, now: number): number | undefined {
  if (!headers) return undefined;
  const ra = headers.get('retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const rl = headers.get('ratelimit');
  const m = rl ? (/(?:^|[;,\s])(?:t|reset)=(\d+)/.exec(rl) ?? null) : null;
  return m ? Number(m[1]) * 1000 : undefined;
}
