export {
  CloudflareProvider,
  createCloudflareProvider,
  DEFAULT_ENDPOINT,
  type CloudflareProviderOptions,
  type CloudflareProviderStats,
} from './provider.js';
export {
  cloudflareTtlWarnings,
  effectiveTtl,
  normalizeForCloudflare,
  type CloudflareTtlTarget,
} from './normalize.js';
export { MARKER_PREFIX, ownerMarker, markerOwner, isOwnedBy, ownerIdProblem } from './marker.js';
export { CloudflareApiError } from './errors.js';
export { AUTO_TTL_SECONDS } from './record-map.js';
