export * from './memory/results-bus.js';
export * from './memory/state-store.js';
export * from './memory/lease.js';
export { StateFileError } from './memory/state-file.js';
export { silentLogger } from './memory/silent-logger.js';
export { eventsFileFor } from './memory/events-file.js';
export { journalFileFor } from './memory/state-journal.js';
