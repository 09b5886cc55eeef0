export { createDashboardServer, BODY_LIMIT } from './server.js';
export type { DashboardServer, DashboardServerOptions } from './server.js';
export { StoreSource } from './store-source.js';
export type { StoreSourceOptions } from './store-source.js';
export { buildView } from './build-view.js';
export type { ViewInputs } from './build-view.js';
export type * from './types.js';
