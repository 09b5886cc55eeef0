export * from './decider-role.js';
export * from './leadership.js';
export * from './publications.js';
export * from './refused-writes.js';
