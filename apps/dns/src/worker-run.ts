/** The body of a DNS worker process, shared by the lean entry (worker-main.ts) and runLeanDnsWorker. */
import { runDnsWorker } from '@understudy/dns-server';
import { createLineLogger } from '@understudy/observability/line-logger';
import { releaseHeap } from './heap-release.js';

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
  // A memory-reducing collection once this worker answers: at 110,000 names it leaves a worker at 205 MB of
  // RSS where a plain one left 215-229 MB (the tree's 600 MB budget, issue 11). It stops this worker for
  // 0.4-1.2 s there, which is why the pool asks for it after the first answer, one worker at a time.
  await runDnsWorker(logger, loadBase, () => releaseHeap(true));
}
