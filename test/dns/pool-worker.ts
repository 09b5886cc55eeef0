/** Worker script for pool.test.ts: a DnsWorkerPool worker, as an app's entry point would run it. */
import type { Logger } from '@understudy/core';
import { runDnsWorker } from '@understudy/dns-server';

const quiet: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  fatal: () => undefined,
  child: () => quiet,
};

await runDnsWorker(quiet);
