export { startCloudflareEmulator, type CloudflareEmulator } from './server.js';
export { REAL_RATE_LIMIT, NO_FAULTS } from './faults.js';
export { zoneIdFor } from './zone-store.js';
export type * from './types.js';
export { ApiFailure } from './types.js';
