/**
 * Where a command finds its config when `-c` is not given, in the order operators know from kubectl and
 * terraform: the flag, then the environment, then the working directory, then the system location.
 * Pure apart from the injected `exists`, so the order is unit-tested without touching the disk.
 */
import { resolve } from 'node:path';

/** The environment variable naming the config file. */
export const CONFIG_ENV = 'UNDERSTUDY_CONFIG';
/** Tried in the working directory. */
export const LOCAL_CONFIG = 'understudy.yaml';
/** Tried last: where packages and the systemd unit install it. */
export const SYSTEM_CONFIG = '/etc/understudy/understudy.yaml';

export interface ConfigDiscovery {
  /** `-c FILE`: taken as given, even when it does not exist (the loader then names it). */
  explicit?: string | undefined;
  /** The value of $UNDERSTUDY_CONFIG (empty counts as unset). */
  env?: string | undefined;
  cwd: string;
  exists: (path: string) => boolean;
}

export type ConfigResolution =
  | { ok: true; path: string; from: 'flag' | 'env' | 'cwd' | 'system' }
  | { ok: false; tried: string[]; message: string };

export function resolveConfigPath(d: ConfigDiscovery): ConfigResolution {
  if (d.explicit !== undefined && d.explicit !== '') return { ok: true, path: d.explicit, from: 'flag' };
  // A named file is the operator's choice: a missing one is reported as such, never skipped over.
  if (d.env !== undefined && d.env !== '') return { ok: true, path: d.env, from: 'env' };
  const local = resolve(d.cwd, LOCAL_CONFIG);
  if (d.exists(local)) return { ok: true, path: local, from: 'cwd' };
  if (d.exists(SYSTEM_CONFIG)) return { ok: true, path: SYSTEM_CONFIG, from: 'system' };
  const tried = [`-c/--config (not given)`, `$${CONFIG_ENV} (not set)`, local, SYSTEM_CONFIG];
  return {
    ok: false,
    tried,
    message: `no config file found; tried: ${tried.join(', ')}. Give one with -c FILE or $${CONFIG_ENV}`,
  };
}
