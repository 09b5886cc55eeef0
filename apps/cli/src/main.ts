/** Entry point of the bundled CLI (dist/understudy.mjs). */
import cluster from 'node:cluster';

if (cluster.isWorker) {
  // A DNS worker forked by DnsWorkerPool without dist/dns-worker.mjs beside this bundle (e.g. run from the
  // sources): the same worker, loaded on demand like every command (see program.ts).
  const { runLeanDnsWorker } = await import('@understudy/dns');
  await runLeanDnsWorker();
  process.exit(0);
} else {
  // The AWS SDK warns on stderr when its Node version nears end of life; an operator who wants the notice
  // can set the variable to false.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { main } = await import('./program.js');
  await main(process.argv);
}
