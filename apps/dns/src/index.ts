export * from './dns-role.js';
export * from './zone-cache.js';
export * from './worker.js';
export { onHeapReleased, releaseHeap } from './heap-release.js';
