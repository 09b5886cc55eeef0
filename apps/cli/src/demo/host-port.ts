import { parseListenAddress } from '@understudy/config';
import { CliExit, EXIT_USAGE } from '../commands/shared.js';

/** "127.0.0.1:5300" or "[::1]:5300" → { host, port }, with the flag named in the error. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  try {
    return parseListenAddress(text);
  } catch (err) {
    throw new CliExit(`${flag}: ${(err as Error).message}`, EXIT_USAGE);
  }
}
