/**
 * Maps an error thrown during a run to a failure reason, by the phase it happened in. Failures of the
 * probe itself (resource exhaustion, setup) are `probe-error`, which never votes.
 */
import type { FailureReason } from '@understudy/core';
import { RESOURCE_CODES } from './probe-health.js';
import { CheckFailure } from './run-context.js';
import type { Phase } from './run-context.js';

/** The peer went away or reset the connection after we started talking HTTP. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const { code } = err;
  return typeof code === 'string' ? code : undefined;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

export function classify(err: unknown, phase: Phase): { reason: FailureReason; message: string } {
  if (err instanceof CheckFailure) return { reason: err.reason, message: err.message };
  const code = errorCode(err);
  const message = errorMessage(err);
  // The probe's host ran out of descriptors, buffers or ports: nothing was learnt about the origin.
  if (code !== undefined && RESOURCE_CODES.has(code))
    return { reason: 'probe-error', message: `probe out of resources during ${phase}: ${message}` };
  switch (phase) {
    case 'dns':
      return { reason: 'dns', message };
    case 'connect':
      return { reason: 'connect', message };
    case 'tls':
      return { reason: 'tls', message: `TLS handshake failed: ${message}` };
    case 'request':
    case 'body':
      if (code?.startsWith('HPE_'))
        return { reason: 'protocol', message: `malformed HTTP response: ${message}` };
      if (code !== undefined && RESET_CODES.has(code)) {
        const where = phase === 'body' ? 'while reading the body' : 'before the response headers';
        return { reason: 'reset', message: `connection lost ${where}: ${message}` };
      }
      return { reason: 'internal', message };
    default:
      // Before any contact with the origin (setup): our own failure.
      return { reason: 'probe-error', message };
  }
}
