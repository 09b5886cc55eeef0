export * from './decider-role.js';
