/**
 * The real clock and randomness. libs/core takes both as ports (Clock, Random) so that it stays pure and
 * tests can inject their own; everything else that needs the real ones takes these, so there is one of each.
 */
import type { Clock, Random } from '@understudy/core';

/** Wall-clock time, epoch milliseconds. */
export const systemClock: Clock = { now: () => Date.now() };

/** Math.random: jitter and backoff spread, never secrets. */
export const systemRandom: Random = { next: () => Math.random() };
