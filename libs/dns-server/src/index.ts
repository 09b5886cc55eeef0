export { DnsServer } from './server.js';
export type { BoundAddress, DnsServerOptions, SetZoneStateResult } from './server.js';
export type { QueryInfo } from './responder.js';
export { buildSnapshot } from './snapshot.js';
export type { Snapshot } from './snapshot.js';
export { DEFAULT_UDP_PAYLOAD } from './constants.js';
export { DnsWorkerPool, defaultDnsWorkers } from './pool.js';
export type { DnsWorkerPoolOptions } from './pool.js';
export { runDnsWorker } from './pool-worker.js';
