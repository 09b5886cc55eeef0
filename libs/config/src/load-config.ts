import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '@understudy/core';
import { parseConfig } from './parse-config.js';
import type { LoadedConfig } from './parse-config.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

/** Reads and parses a config file; relative paths inside it resolve against the file's directory. */
export async function loadConfig(
  file: string,
  opts: { env?: Record<string, string | undefined> } = {},
): Promise<LoadedConfig> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    const reason = REASONS[code] ?? (err as Error).message;
    throw new ConfigError([{ path: '', message: `cannot read config file ${absolute}: ${reason}` }], file);
  }
  const loaded = parseConfig(text, { source: file, baseDir: path.dirname(absolute), ...opts });
  // The file, not its text: a large config is not kept in memory twice. Assigned, not spread: a spread
  // would compute the lazy hash.
  return Object.assign(loaded, { origin: { kind: 'file', file: absolute } as const });
}
