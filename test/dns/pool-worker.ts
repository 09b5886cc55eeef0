/** Worker script for the pool tests: a DnsWorkerPool worker, as an app's entry point would run it. */
import { readFileSync } from 'node:fs';
import { runDnsWorker } from '@understudy/dns-server';
import type { ZoneBase } from '@understudy/dns-server';
import { recordingLogger } from '@understudy/testkit/logger';

// Nothing reads a worker's entries: the primary's side is what the tests assert on.
// The base source is { basePath }: a ZoneBase JSON file the test wrote (an app would read its config).
await runDnsWorker(recordingLogger(), (source) => {
  const { basePath } = source as { basePath: string };
  return JSON.parse(readFileSync(basePath, 'utf8')) as ZoneBase;
});
