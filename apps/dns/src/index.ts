export * from './dns-role.js';
export * from './zone-cache.js';
export * from './worker.js';
