/**
 * The DNS server's disk cache of the last zone state it served from the store, so that a server started
 * while Redis is down still answers (from the last state it knew) instead of staying down for the outage.
 *
 * Written atomically (tmp file + fsync + rename: a reader sees the old file or the new one, never half of
 * one) and only when the serial changes. A file written for another config (its hash, or its zones) is
 * refused: serving another deployment's answers would be worse than serving none.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger, ZoneState } from '@understudy/core';

export const ZONE_CACHE_FORMAT = 'understudy-dns-zone-cache';
export const ZONE_CACHE_VERSION = 1;

export interface ZoneCacheOptions {
  file: string;
  /** Hash of the config this process runs (LoadedConfig.hash); a cache of another config is refused. */
  configHash: string;
  /** Apexes of the configured zones, in config order. */
  zones: string[];
  logger: Logger;
}

export type ZoneCacheLoad =
  | { ok: true; zs: ZoneState; savedAt: number }
  | { ok: false; reason: 'missing' | 'corrupt' | 'foreign'; detail: string };

interface CacheFile {
  format: string;
  version: number;
  configHash: string;
  zones: string[];
  savedAt: number;
  zoneState: ZoneState;
}

export class ZoneCache {
  /** Serial on disk (or being written); null before the first save or load. */
  private saved: number | null = null;
  private writing: Promise<void> | null = null;
  private pending: ZoneState | null = null;
  private failing = false;

  constructor(private readonly opts: ZoneCacheOptions) {}

  get file(): string {
    return this.opts.file;
  }

  async load(): Promise<ZoneCacheLoad> {
    let text: string;
    try {
      text = await readFile(this.opts.file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { ok: false, reason: 'missing', detail: 'no cache file' };
      return { ok: false, reason: 'corrupt', detail: `cannot read: ${(err as Error).message}` };
    }
    const res = this.check(text);
    if (res.ok) this.saved = res.zs.serial;
    return res;
  }

  /**
   * Writes `zs` unless that serial is already on disk. Saves never overlap: a state that arrives during a
   * write waits, and only the newest waiting one is written. Failures are logged (once per streak), never
   * thrown: the cache must not get in the way of serving.
   */
  save(zs: ZoneState): Promise<void> {
    if (zs.serial === this.saved || zs.serial === this.pending?.serial)
      return this.writing ?? Promise.resolve();
    this.pending = zs;
    this.writing ??= this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const zs = this.pending;
        this.pending = null;
        if (zs.serial === this.saved) continue;
        await this.write(zs);
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(zs: ZoneState): Promise<void> {
    const body: CacheFile = {
      format: ZONE_CACHE_FORMAT,
      version: ZONE_CACHE_VERSION,
      configHash: this.opts.configHash,
      zones: this.opts.zones,
      savedAt: Date.now(),
      zoneState: zs,
    };
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(this.opts.file), { recursive: true });
      const fh = await open(tmp, 'w', 0o644);
      try {
        await fh.writeFile(JSON.stringify(body));
        // Without the fsync a crash right after the rename can leave an empty file under the real name.
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.opts.file);
      this.saved = zs.serial;
      if (this.failing) this.opts.logger.info({ file: this.opts.file }, 'dns: zone cache written again');
      this.failing = false;
      this.opts.logger.debug({ file: this.opts.file, serial: zs.serial }, 'dns: zone cache written');
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.opts.logger[this.failing ? 'debug' : 'warn'](
        { err, file: this.opts.file, serial: zs.serial },
        'dns: could not write the zone cache (dns.cacheFile); serving is not affected',
      );
      this.failing = true;
    }
  }

  private check(text: string): ZoneCacheLoad {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      return { ok: false, reason: 'corrupt', detail: `not JSON: ${(err as Error).message}` };
    }
    if (!isObject(body) || body.format !== ZONE_CACHE_FORMAT)
      return { ok: false, reason: 'corrupt', detail: `not a ${ZONE_CACHE_FORMAT} file` };
    if (body.version !== ZONE_CACHE_VERSION)
      return {
        ok: false,
        reason: 'corrupt',
        detail: `version ${String(body.version)} is not ${ZONE_CACHE_VERSION}`,
      };
    if (body.configHash !== this.opts.configHash)
      return {
        ok: false,
        reason: 'foreign',
        detail: `written for config ${String(body.configHash).slice(0, 12)}, this config is ${this.opts.configHash.slice(0, 12)}`,
      };
    const zs = body.zoneState;
    if (!isObject(zs) || !isCount(zs.serial) || !isCount(zs.epoch) || !Array.isArray(zs.zones))
      return { ok: false, reason: 'corrupt', detail: 'zoneState lacks serial, epoch or zones' };
    const apexes = (zs.zones as unknown[]).map((z) => (isObject(z) ? z.apex : undefined));
    if (!sameList(apexes, this.opts.zones) || !sameList(body.zones, this.opts.zones))
      return {
        ok: false,
        reason: 'foreign',
        detail: `zones ${JSON.stringify(apexes)} are not the configured ${JSON.stringify(this.opts.zones)}`,
      };
    return { ok: true, zs: zs as unknown as ZoneState, savedAt: isCount(body.savedAt) ? body.savedAt : 0 };
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function sameList(a: unknown, b: string[]): boolean {
  return Array.isArray(a) && a.length === b.length && a.every((x, i) => x === b[i]);
}
