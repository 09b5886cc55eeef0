/** Entry of dist/dns-worker.mjs: a lean DNS worker (see worker.ts). */
import { runLeanDnsWorker } from './worker.js';

await runLeanDnsWorker();
process.exit(0);
