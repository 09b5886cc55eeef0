/**
 * Judging a response: status ranges and body matchers. Body regexes run on RE2 (re2js): matching is
 * linear in the body, so a pattern like ^(a+)+$ cannot stall the probe's event loop on a hostile body.
 */
import { RE2JS } from 're2js';
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

const regexCache = new Map<string, RE2JS>();
const REGEX_CACHE_MAX = 1_000;

function compile(pattern: string): RE2JS {
  const cached = regexCache.get(pattern);
  if (cached) return cached;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (err) {
    // Config validation refuses such patterns, so this is a probe running an unvalidated config: not the origin's fault.
    const detail = err instanceof Error ? err.message : String(err);
    throw new CheckFailure('probe-error', `invalid body regex ${JSON.stringify(pattern)}: ${detail}`);
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
  // A compiled RE2JS is immutable; each test() gets its own matcher, so the cached one can be shared.
  return { test: (text) => re.matcher(text).find(), describe: `match /${body.regex}/` };
}
