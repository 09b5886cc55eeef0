export * from './builtin-provider.js';
export * from './plan-target.js';
export * from './target-worker.js';
export * from './sync-manager.js';
export * from './timers.js';
