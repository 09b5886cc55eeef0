/**
 * The DNS server's disk cache of the last overlay it served from the store, so that a server started
 * while Redis is down still answers (from the last state it knew) instead of staying down for the outage.
 *
 * Written atomically (tmp file + fsync + rename: a reader sees the old file or the new one, never half of
 * one) and only when the serial changes. A file written for another config (its hash, or its zones) is
 * refused: serving another deployment's answers would be worse than serving none.
 */
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger, ZoneOverlay } from '@understudy/core';

export const ZONE_CACHE_FORMAT = 'understudy-dns-zone-cache';
/** 2: the overlay (issue 11); version 1 held a whole zone state and is refused as another format. */
export const ZONE_CACHE_VERSION = 2;

export interface ZoneCacheOptions {
  file: string;
  /** Hash of the config this process runs (LoadedConfig.hash); a cache of another config is refused. */
  configHash: string;
  /** Apexes of the configured zones, in config order. */
  zones: string[];
  logger: Logger;
}

export type ZoneCacheLoad =
  | { ok: true; overlay: ZoneOverlay; savedAt: number }
  | { ok: false; reason: 'missing' | 'corrupt' | 'foreign'; detail: string };

interface CacheFile {
  format: string;
  version: number;
  configHash: string;
  zones: string[];
  savedAt: number;
  overlay: ZoneOverlay;
}

export class ZoneCache {
  /** Serial on disk (or being written); null before the first save or load. */
  private saved: number | null = null;
  private writing: Promise<void> | null = null;
  private pending: ZoneOverlay | null = null;
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
    if (res.ok) this.saved = res.overlay.serial;
    return res;
  }

  /**
   * Writes `overlay` unless that serial is already on disk. Saves never overlap: one that arrives during a
   * write waits, and only the newest waiting one is written (a copy is taken: the caller updates its own). Failures are logged (once per streak), never
   * thrown: the cache must not get in the way of serving.
   */
  save(overlay: ZoneOverlay): Promise<void> {
    if (overlay.serial === this.saved || overlay.serial === this.pending?.serial)
      return this.writing ?? Promise.resolve();
    this.pending = overlay;
    this.writing ??= this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending) {
        const overlay = this.pending;
        this.pending = null;
        if (overlay.serial === this.saved) continue;
        await this.write(overlay);
      }
    } finally {
      this.writing = null;
    }
  }

  private async write(overlay: ZoneOverlay): Promise<void> {
    const body: CacheFile = {
      format: ZONE_CACHE_FORMAT,
      version: ZONE_CACHE_VERSION,
      configHash: this.opts.configHash,
      zones: this.opts.zones,
      savedAt: Date.now(),
      overlay,
    };
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    // Serialized now: the role keeps updating the overlay it handed over while the file is written.
    const text = JSON.stringify(body);
    const serial = overlay.serial;
    try {
      await mkdir(dirname(this.opts.file), { recursive: true });
      const fh = await open(tmp, 'w', 0o644);
      try {
        await fh.writeFile(text);
        // Without the fsync a crash right after the rename can leave an empty file under the real name.
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.opts.file);
      this.saved = serial;
      if (this.failing) this.opts.logger.info({ file: this.opts.file }, 'dns: zone cache written again');
      this.failing = false;
      this.opts.logger.debug({ file: this.opts.file, serial }, 'dns: zone cache written');
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      this.opts.logger[this.failing ? 'debug' : 'warn'](
        { err, file: this.opts.file, serial },
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
    const o = body.overlay;
    if (!isObject(o) || !isCount(o.serial) || !isCount(o.epoch) || !isObject(o.records))
      return { ok: false, reason: 'corrupt', detail: 'overlay lacks serial, epoch or records' };
    if (!sameList(body.zones, this.opts.zones))
      return {
        ok: false,
        reason: 'foreign',
        detail: `zones ${JSON.stringify(body.zones)} are not the configured ${JSON.stringify(this.opts.zones)}`,
      };
    const overlay: ZoneOverlay = {
      serial: o.serial,
      epoch: o.epoch,
      generatedAt: isCount(o.generatedAt) ? o.generatedAt : 0,
      records: o.records as Record<string, string[]>,
    };
    return { ok: true, overlay, savedAt: isCount(body.savedAt) ? body.savedAt : 0 };
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
