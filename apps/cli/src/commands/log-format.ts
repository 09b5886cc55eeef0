/**
 * `--log-format json|pretty` of the long-running commands. program.ts stores the choice in
 * $UNDERSTUDY_LOG_FORMAT before the command runs, so every logger the command makes (and the DNS workers
 * it forks) uses it without each command threading an option through; the variable also works on its own.
 */
import type { LogFormat } from '@understudy/observability';

export const LOG_FORMAT_ENV = 'UNDERSTUDY_LOG_FORMAT';

export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat {
  return env[LOG_FORMAT_ENV] === 'pretty' ? 'pretty' : 'json';
}
