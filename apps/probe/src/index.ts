export * from './probe-role.js';
