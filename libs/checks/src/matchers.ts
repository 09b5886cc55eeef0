/** Judging a response: status ranges and body matchers. */
import type { HttpCheckConfig, StatusRange } from '@understudy/core';
import { CheckFailure } from './run-context.js';

export function statusMatches(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some((r) => status >= r.from && status <= r.to);
}

export function formatRanges(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(', ');
}

export interface BodyMatcher {
  test(text: string): boolean;
  /** e.g. `contain "ok"` or `match /^ok/`, for the failure message. */
  describe: string;
}

const regexCache = new Map<string, RegExp>();
const REGEX_CACHE_MAX = 1_000;

function compile(pattern: string): RegExp {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CheckFailure('internal', `invalid body regex ${JSON.stringify(pattern)}: ${detail}`);
  }
  if (regexCache.size >= REGEX_CACHE_MAX) regexCache.clear();
  regexCache.set(pattern, re);
  return re;
}

export function bodyMatcher(body: HttpCheckConfig['body']): BodyMatcher | null {
  if (body === null) return null;
  if ('contains' in body) {
    const needle = body.contains;
    return { test: (text) => text.includes(needle), describe: `contain ${JSON.stringify(needle)}` };
  }
  const re = compile(body.regex);
  // No g/y flags are ever set, so test() is stateless and the cached RegExp can be shared.
  return { test: (text) => re.test(text), describe: `match /${body.regex}/` };
}
