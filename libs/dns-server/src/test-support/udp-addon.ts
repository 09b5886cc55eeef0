/**
 * Builds the batched-UDP addon for tests that need it (scripts/build-native.mjs skips an up-to-date
 * build) and says whether it loads. Where it cannot build (no cc), tests of the batched path expect
 * the dgram fallback instead, so the suite passes on such a machine too (but not on CI).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadUdpAddon } from '../udp-native.js';

let built: boolean | undefined;

export function ensureUdpAddon(): boolean {
  if (built === undefined) {
    const script = fileURLToPath(new URL('../../../../scripts/build-native.mjs', import.meta.url));
    execFileSync(process.execPath, [script], { stdio: 'inherit' });
    built = loadUdpAddon().ok;
    // On CI the batched path must be tested, not quietly replaced by dgram: .ci/run installs cc.
    if (!built && process.env['CI'] === 'true')
      throw new Error('the batched UDP addon did not build or load on CI (scripts/build-native.mjs)');
  }
  return built;
}

/** The I/O an endpoint asked for `io` should end up on. */
export function expectedIo(io: 'dgram' | 'batched'): 'dgram' | 'batched' {
  return io === 'batched' && ensureUdpAddon() ? 'batched' : 'dgram';
}
