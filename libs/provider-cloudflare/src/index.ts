export { CloudflareProvider } from './provider.js';
