/**
 * Trust anchors from `tls.caFile`, read once per path and kept as a ready SecureContext, so a check
 * run does not re-read and re-parse the bundle every interval. A new CA bundle needs a restart.
 * Failures are not cached: fixing the file takes effect at the next run.
 */
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { CheckFailure } from './run-context.js';

const contexts = new Map<string, SecureContext>();

export async function caSecureContext(path: string): Promise<SecureContext> {
  const cached = contexts.get(path);
  if (cached) return cached;
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CheckFailure('probe-error', `cannot read tls.caFile ${path}: ${detail}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new CheckFailure('probe-error', `tls.caFile ${path} contains no PEM certificate`);
  }
  let context: SecureContext;
  try {
    context = createSecureContext({ ca: pem });
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    throw new CheckFailure('probe-error', `tls.caFile ${path} is not a usable CA bundle: ${detail}`, {
      cause: err,
    });
  }
  contexts.set(path, context);
  return context;
}
