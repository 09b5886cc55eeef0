/**
 * Loads the optional batched-UDP addon (native/udp-batch.c, built by scripts/build-native.mjs). It is an
 * experiment with a hard fallback: when it is missing, fails to load or has another layout, the caller
 * gets the reason and serves through node:dgram as before.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The datagrams and replies of one socket, in memory shared with the addon's reader thread. */
export interface UdpBatchSocket {
  handle: object;
  port: number;
  in: ArrayBuffer;
  lens: ArrayBuffer;
  addrs: ArrayBuffer;
  out: ArrayBuffer;
  omsg: ArrayBuffer;
}

export interface UdpBatchAddon {
  BATCH: number;
  SLOTS: number;
  DGRAM_STRIDE: number;
  ADDR_STRIDE: number;
  OUT_BYTES: number;
  open(host: string, port: number, reusePort: boolean, rcvbuf: number): UdpBatchSocket;
  start(handle: object, onBatch: (slot: number, count: number) => void): void;
  /** Null when every reply went out. */
  send(handle: object, slot: number, count: number): { failed: number; error?: string } | null;
  close(handle: object): void;
  ref(handle: object, on: boolean): void;
}

export type AddonLoad = { ok: true; addon: UdpBatchAddon; path: string } | { ok: false; reason: string };

/** Overrides where the addon is looked for (tests force a bad path with it). */
export const ADDON_ENV = 'UNDERSTUDY_UDP_ADDON';
const FILE = 'udp-batch.node';

/** From libs/dns-server/src (tsx, vitest) and from dist/ (the bundle), where build-native.mjs puts it. */
function candidates(): string[] {
  const env = process.env[ADDON_ENV];
  if (env !== undefined && env !== '') return [env];
  return [`../native/build/${FILE}`, `../libs/dns-server/native/build/${FILE}`].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
}

const loaded = new Map<string, AddonLoad>();

function loadFrom(path: string): AddonLoad {
  try {
    const addon = createRequire(import.meta.url)(path) as UdpBatchAddon;
    if (typeof addon.open !== 'function' || !(addon.BATCH > 0) || !(addon.OUT_BYTES >= 65535 + 12))
      return { ok: false, reason: `${path} is not the udp-batch addon this build expects` };
    return { ok: true, addon, path };
  } catch (err) {
    return { ok: false, reason: `${path} did not load: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** The addon, or why not (cached per path: a load is tried once per process). */
export function loadUdpAddon(path?: string): AddonLoad {
  if (process.platform !== 'linux')
    return { ok: false, reason: `batched UDP needs Linux (recvmmsg), not ${process.platform}` };
  const paths = path !== undefined ? [path] : candidates();
  const found = paths.find((p) => existsSync(p));
  if (found === undefined)
    return {
      ok: false,
      reason: `no ${FILE} at ${paths.join(' or ')} (npm run build compiles it when cc is installed)`,
    };
  let r = loaded.get(found);
  if (r === undefined) {
    r = loadFrom(found);
    loaded.set(found, r);
  }
  return r;
}
