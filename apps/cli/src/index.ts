export * from './embedded.js';
export * from './distributed.js';
