/**
 * Conformance suites for the backend ports (vitest). Imported by tests only, through
 * "@understudy/backends/conformance", so production code never loads vitest.
 */
export * from './results-bus-suite.js';
export * from './state-store-suite.js';
export * from './lease-suite.js';
export * from './fixtures.js';
export * from './wait.js';
