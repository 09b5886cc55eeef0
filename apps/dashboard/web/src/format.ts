/** Display helpers: every state is shown as icon + text, never colour alone. */
import type { Health } from './api-types.js';

export type CellState = Health | 'stale';

export const STATE_ICON: Record<CellState, string> = {
  up: '▲',
  down: '▼',
  unknown: '?',
  stale: '◌',
};

export function cellState(state: Health, stale: boolean): CellState {
  return stale ? 'stale' : state;
}

export function stateLabel(state: CellState): string {
  return `${STATE_ICON[state]} ${state}`;
}

export function fmtMs(ms: number | undefined | null): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/** A duration in whole units, for countdowns and ages. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d`;
}

export function fmtTime(at: number | null | undefined): string {
  if (at === null || at === undefined) return '–';
  const d = new Date(at);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function fmtDateTime(at: number | null | undefined): string {
  if (at === null || at === undefined) return '–';
  return new Date(at)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function fmtAge(at: number | null | undefined, now: number): string {
  if (at === null || at === undefined) return 'never';
  const d = now - at;
  return d >= 0 ? `${fmtDuration(d)} ago` : `in ${fmtDuration(-d)}`;
}

/** PRIMARY, SECONDARY, … by position in the record's answer list. */
const TIERS = ['PRIMARY', 'SECONDARY', 'TERTIARY', 'QUATERNARY'];
export function tierName(index: number): string {
  return TIERS[index] ?? `TIER ${index + 1}`;
}

export function plural(n: number, word: string): string {
  return `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;
}
