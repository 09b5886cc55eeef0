export { Route53Provider } from './route53-provider.js';
export type { Route53ProviderOptions } from './route53-provider.js';
export type { RetryPolicy, CallCounters } from './api-client.js';
export { DEFAULT_RETRY } from './api-client.js';
export { Route53TargetError } from './errors.js';
export { markerName, markerValue, parseMarker, MARKER_TTL } from './marker.js';
export type { ParsedMarker } from './marker.js';
export { MAX_BATCH_ELEMENTS, MAX_BATCH_CHARS } from './change-batches.js';
