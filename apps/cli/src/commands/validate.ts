import { ConfigError } from '@understudy/core';
import { loadConfig } from '@understudy/config';
import { CliExit, EXIT_OK } from './exit.js';

export interface ValidateOptions {
  json?: boolean;
}

/** Prints every problem (or OK with warnings); exits non-zero on errors. */
export async function validateCommand(
  file: string,
  opts: ValidateOptions,
  out: NodeJS.WritableStream,
): Promise<number> {
  try {
    const loaded = await loadConfig(file);
    const { config, warnings } = loaded;
    const records = config.zones.reduce((n, z) => n + z.failover.length, 0);
    if (opts.json) {
      // Only here: the hash is computed when read (a walk over the whole config).
      out.write(`${JSON.stringify({ ok: true, file, hash: loaded.hash, warnings }, null, 2)}\n`);
      return EXIT_OK;
    }
    out.write(
      `${file}: OK (${config.zones.length} zone(s), ${config.checks.length} check(s), ${records} failover record(s), ${config.regions.length} region(s))\n`,
    );
    for (const w of warnings)
      out.write(`  warning: ${file}${w.line === undefined ? '' : `:${w.line}`} ${w.path}: ${w.message}\n`);
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    if (opts.json) {
      out.write(`${JSON.stringify({ ok: false, file, problems: err.problems }, null, 2)}\n`);
      throw new CliExit('', 1);
    }
    throw new CliExit(err.message, 1);
  }
}
