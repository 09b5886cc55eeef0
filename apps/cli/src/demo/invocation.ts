/**
 * How the operator runs the CLI, for the commands the demo banner prints: `understudy` when the package is
 * installed (its bin is on the PATH), `npx understudy` from a source checkout (`npm start`, `npx understudy
 * demo`) or when npm started it (npx or a script: the bin is only in node_modules/.bin).
 */
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Invocation {
  /** The environment: npm sets npm_command (npx: "exec") and npm_lifecycle_event (a script). */
  env: Record<string, string | undefined>;
  /** A module URL of the running CLI: inside node_modules when the package is installed. */
  moduleUrl: string;
}

export function cliCommand({ env, moduleUrl }: Invocation): string {
  const throughNpm = Boolean(env.npm_command || env.npm_lifecycle_event);
  const path = moduleUrl.startsWith('file:') ? fileURLToPath(moduleUrl) : moduleUrl;
  const installed = path.split(sep).includes('node_modules');
  return installed && !throughNpm ? 'understudy' : 'npx understudy';
}

/** The command for this process. */
export const thisCliCommand = (): string => cliCommand({ env: process.env, moduleUrl: import.meta.url });
