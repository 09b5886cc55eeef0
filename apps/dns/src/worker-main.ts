/**
 * Entry of dist/dns-worker.mjs: a lean DNS worker (see worker.ts) that reads the base file the main process
 * wrote, so neither the config reader nor the provider SDKs are in its bundle.
 */
import { loadBaseFile } from './worker-base-file.js';
import { runWorkerProcess } from './worker-run.js';

await runWorkerProcess(loadBaseFile);
process.exit(0);
