/** The config file of a command: `-c`, else $UNDERSTUDY_CONFIG, ./understudy.yaml, /etc/understudy/understudy.yaml. */
import { existsSync } from 'node:fs';
import { CONFIG_ENV, resolveConfigPath } from '@understudy/config';
import { CliExit } from './exit.js';

export function configPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const r = resolveConfigPath({ explicit, env: env[CONFIG_ENV], cwd: process.cwd(), exists: existsSync });
  if (!r.ok) throw new CliExit(`understudy: ${r.message}`);
  return r.path;
}
