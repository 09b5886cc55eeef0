/** The body of a DNS worker process, shared by the lean entry (worker-main.ts) and runLeanDnsWorker. */
import { runDnsWorker } from '@understudy/dns-server';
import { createLineLogger } from '@understudy/observability/line-logger';

/** Runs this process as a DNS worker until the primary says close or goes away. */
export async function runWorkerProcess(loadBase: Parameters<typeof runDnsWorker>[1]): Promise<void> {
  // The primary stops its workers over IPC: signals sent to the whole process group (Ctrl-C, systemd) must
  // not kill a worker before the primary does.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);
  // pino's lines without pino (line-logger.ts): about 2 MB less RSS per idle worker (issue 11 §2).
  const logger = createLineLogger({
    name: 'understudy-dns-worker',
    level: process.env.UNDERSTUDY_LOG_LEVEL ?? 'info',
    // `--log-format` of the primary, passed down like the level.
    format: process.env.UNDERSTUDY_LOG_FORMAT === 'pretty' ? 'pretty' : 'json',
  });
  await runDnsWorker(logger, loadBase);
}
