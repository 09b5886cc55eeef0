/** Durations as operators write them ("30s", "1m30s", 10) → milliseconds. */

const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const UNIT_ORDER = ['d', 'h', 'm', 's', 'ms'];
const COMPONENT = /(\d+(?:\.\d+)?)(ms|d|h|m|s)/y;
const BARE_NUMBER = /^\d+(?:\.\d+)?$/;

/** Used by the JSON schema too, so editors flag the same strings this parser rejects. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?|(?:\\d+(?:\\.\\d+)?(?:ms|d|h|m|s))+)$';

const FORMS = 'use e.g. "500ms", "30s", "5m", "1h", "1d", "1m30s", or a number of seconds';

/**
 * Milliseconds for a duration. A bare number (or numeric string) means seconds.
 * Components must come largest unit first, each unit at most once ("1h30m", not "30m1h").
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new Error(`duration ${String(input)} is not a finite number`);
    if (input < 0) throw new Error(`duration must not be negative, got ${input}`);
    return checked(Math.round(input * 1000), String(input));
  }
  if (typeof input !== 'string') throw new Error(`duration must be a string or a number; ${FORMS}`);
  const text = input.trim();
  if (text === '') throw new Error(`duration is empty; ${FORMS}`);
  if (text.startsWith('-')) throw new Error(`duration must not be negative, got "${input}"`);
  if (BARE_NUMBER.test(text)) return checked(Math.round(Number(text) * 1000), input);
  return checked(Math.round(sumComponents(text, input)), input);
}

function sumComponents(text: string, input: string): number {
  let total = 0;
  let pos = 0;
  let lastUnit = -1;
  COMPONENT.lastIndex = 0;
  while (pos < text.length) {
    COMPONENT.lastIndex = pos;
    const m = COMPONENT.exec(text);
    if (!m) throw new Error(`"${input}" is not a duration; ${FORMS}`);
    const unit = m[2]!;
    const rank = UNIT_ORDER.indexOf(unit);
    if (rank <= lastUnit)
      throw new Error(`"${input}" is not a duration: write units largest first, each once (e.g. "1h30m")`);
    lastUnit = rank;
    total += Number(m[1]) * UNIT_MS[unit]!;
    pos = COMPONENT.lastIndex;
  }
  return total;
}

function checked(ms: number, input: string): number {
  if (!Number.isSafeInteger(ms)) throw new Error(`duration "${input}" is too large`);
  return ms;
}

/** Shortest exact text for a duration, for messages: 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of UNIT_ORDER) {
    const size = UNIT_MS[unit]!;
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
