export { runCheck } from './run-check.js';
export type { RunCheckFn, RunCheckOptions } from './run-check.js';
export { systemLookup } from './lookup.js';
export type { LookupAddress, LookupFn } from './lookup.js';
export { USER_AGENT } from './http-exchange.js';
export { CheckScheduler } from './scheduler.js';
export type { CheckSchedulerOptions, OutcomeHandler } from './scheduler.js';
export { ProbeRunner } from './probe-runner.js';
export type { ProbeRunnerOptions, ProbeRunnerStats } from './probe-runner.js';
