/** Redis adapters (BullMQ + ioredis) for the backend ports; imported as "@understudy/backends/redis". */
export { redisOptionsFromUrl, redactRedisUrl } from './url.js';
export { RedisConnection } from './connection.js';
export type { RedisConnectionOptions, RedisHealth, ClientRole } from './connection.js';
export { RedisResultsBus } from './results-bus.js';
export type { RedisResultsBusOptions, ResultsBusStats } from './results-bus.js';
export { RedisStateStore } from './state-store.js';
export type { RedisStateStoreOptions } from './state-store.js';
export { RedisLease, readLeaseHolder } from './lease.js';
export type { RedisLeaseOptions } from './lease.js';
export { StoredDataError } from './stored.js';
export { RedisActionRelay } from './action-relay.js';
export type { ActionHandler, RedisActionRelayOptions } from './action-relay.js';
