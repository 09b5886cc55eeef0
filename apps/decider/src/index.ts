export * from './decider-role.js';
export * from './serial-queue.js';
