/** Worker script for pool.test.ts: a DnsWorkerPool worker, as an app's entry point would run it. */
import { runDnsWorker } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';

// Nothing reads a worker's entries: the primary's side is what the tests assert on.
await runDnsWorker(recordingLogger());
