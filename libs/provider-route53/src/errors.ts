/** What a Route 53 failure means for us: retry it, or stop and tell the operator which target failed. */
import { TransientError } from '@understudy/core';

/** A failure retrying cannot fix (credentials, unknown zone, a request Route 53 refuses). */
export class Route53TargetError extends Error {
  override readonly name = 'Route53TargetError';
  constructor(
    readonly target: string,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`route53 target "${target}": ${message}`, options);
  }
}

const RETRYABLE = new Set([
  'Throttling',
  'ThrottlingException',
  'PriorRequestNotComplete',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'RequestTimeout',
  'TimeoutError',
]);
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
const AUTH = new Set([
  'InvalidClientTokenId',
  'AccessDenied',
  'AccessDeniedException',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'ExpiredToken',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
]);

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

export function errorCode(err: unknown): string {
  const e = (err ?? {}) as SdkErrorLike;
  return e.code && NETWORK.has(e.code) ? e.code : (e.name ?? 'Error');
}

export function isThrottle(err: unknown): boolean {
  const c = errorCode(err);
  return c === 'Throttling' || c === 'ThrottlingException' || c === 'RequestLimitExceeded';
}

export function isRetryable(err: unknown): boolean {
  const e = (err ?? {}) as SdkErrorLike;
  const status = e.$metadata?.httpStatusCode;
  return (
    RETRYABLE.has(errorCode(err)) || NETWORK.has(e.code ?? '') || (status !== undefined && status >= 500)
  );
}

/** The error a caller sees once retries are exhausted or the failure is permanent. */
export function translate(target: string, op: string, err: unknown, attempts: number): Error {
  const code = errorCode(err);
  const detail = (err as SdkErrorLike | null)?.message ?? String(err);
  if (isRetryable(err)) {
    return new TransientError(
      `route53 target "${target}": ${op} failed after ${attempts} attempts (${code}: ${detail})`,
      undefined,
      {
        cause: err,
      },
    );
  }
  if (AUTH.has(code) || (err as SdkErrorLike | null)?.$metadata?.httpStatusCode === 403) {
    return new Route53TargetError(target, code, `credentials rejected by ${op} (${code}: ${detail})`, {
      cause: err,
    });
  }
  if (code === 'NoSuchHostedZone') {
    return new Route53TargetError(target, code, `hosted zone not found (${detail})`, { cause: err });
  }
  return new Route53TargetError(target, code, `${op} refused (${code}: ${detail})`, { cause: err });
}
