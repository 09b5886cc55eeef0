export { startRoute53Emulator } from './server.js';
export type { Route53Emulator, Route53EmulatorOptions, RecordEdit } from './server.js';
export type { Route53Faults, Route53Stats } from './faults.js';
export type { EmuRecord } from './types.js';
