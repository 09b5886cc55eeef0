export * from './dns-role.js';
