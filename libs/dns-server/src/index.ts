export { DnsServer } from './server.js';
export type { BoundAddress, DnsServerOptions, SetZoneStateResult } from './server.js';
export type { QueryCount } from './query-counter.js';
export { buildSnapshot } from './snapshot.js';
export type { Snapshot } from './snapshot.js';
export { DEFAULT_UDP_PAYLOAD, rcodeName } from './constants.js';
export { DnsWorkerPool, defaultDnsWorkers } from './pool.js';
export type { DnsWorkerPoolOptions } from './pool.js';
export { runDnsWorker } from './pool-worker.js';
