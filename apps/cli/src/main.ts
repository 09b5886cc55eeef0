/** Entry point of the bundled CLI (dist/understudy.mjs). */
import cluster from 'node:cluster';
import { runDnsWorker } from '@understudy/dns-server';
import { createLogger } from '@understudy/observability';
import { main } from './program.js';

if (cluster.isWorker) {
  // A DNS worker forked by DnsWorkerPool: the primary drives it over IPC and tells it when to stop, so
  // signals sent to the whole process group (Ctrl-C, systemd) must not kill it before the primary does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
  const logger = createLogger({
    name: 'understudy-dns-worker',
    level: process.env.UNDERSTUDY_LOG_LEVEL ?? 'info',
    pretty: false,
  });
  await runDnsWorker(logger);
  process.exit(0);
} else {
  // The AWS SDK warns on stderr that a future release will need Node 22; we support Node >= 20.19, and an
  // operator who wants the notice can set the variable to false.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await main(process.argv);
}
