/** Entry point of the bundled CLI (dist/understudy.mjs). */
import cluster from 'node:cluster';
import { runLeanDnsWorker } from '@understudy/dns';
import { main } from './program.js';

if (cluster.isWorker) {
  // A DNS worker forked by DnsWorkerPool without dist/dns-worker.mjs beside this bundle (e.g. run from the
  // sources): the same worker, with everything else loaded too.
  await runLeanDnsWorker();
  process.exit(0);
} else {
  // The AWS SDK warns on stderr that a future release will need Node 22; we support Node >= 20.19, and an
  // operator who wants the notice can set the variable to false.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await main(process.argv);
}
