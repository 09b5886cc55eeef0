export * from './logger.js';
export * from './redact.js';
export * from './metrics.js';
export * from './ops-server.js';
export * from './shutdown.js';
export { AdminGate } from './admin-gate.js';
export type { NamedToken, GateResult } from './admin-gate.js';
export * from './http-guard.js';
export type { TransferMetrics } from './transfer-metrics.js';
