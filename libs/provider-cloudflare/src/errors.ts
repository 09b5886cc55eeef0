/** Errors of the Cloudflare target: every message names the target; the API token never appears. */
import { APIConnectionError, APIError } from 'cloudflare';
import { ConfigError } from '@understudy/core';

/** Cloudflare refused a request for a reason retrying cannot fix (validation, conflict, …). */
export class CloudflareApiError extends Error {
  override readonly name = 'CloudflareApiError';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly codes: number[],
  ) {
    super(message);
  }
}

export type Failure =
  | { kind: 'rate-limit'; detail: string }
  | { kind: 'transient'; detail: string }
  | { kind: 'auth'; detail: string }
  | { kind: 'refused'; detail: string; status: number | undefined; codes: number[] };

/** 6003 (chain 6111): the Authorization header is malformed, i.e. the token itself is wrong. */
const AUTH_CODES = new Set([6003, 6111, 9103, 9106, 9109, 10000, 10001]);

function describe(err: APIError): { detail: string; codes: number[] } {
  const errs = (err.errors ?? []).filter(
    (e) => typeof e?.code === 'number' || typeof e?.message === 'string',
  );
  const codes = errs.map((e) => e.code).filter((c): c is number => typeof c === 'number');
  const text = errs.map((e) => `${e.code} ${e.message}`).join('; ');
  return { detail: `HTTP ${err.status ?? '?'}${text ? `: ${text}` : ''}`, codes };
}

export function classify(err: unknown): Failure {
  if (err instanceof APIConnectionError)
    return { kind: 'transient', detail: `connection failed: ${err.message}` };
  if (err instanceof APIError) {
    const apiErr = err as APIError;
    const { detail, codes } = describe(apiErr);
    const status = apiErr.status;
    if (status === 429) return { kind: 'rate-limit', detail };
    if (status === undefined || status >= 500 || status === 408) return { kind: 'transient', detail };
    if (status === 401 || status === 403 || codes.some((c) => AUTH_CODES.has(c)))
      return { kind: 'auth', detail };
    return { kind: 'refused', detail, status, codes };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { kind: 'refused', detail: message, status: undefined, codes: [] };
}

export const targetLabel = (target: string): string => `cloudflare target "${target}"`;

export function authError(target: string, zone: string, detail: string): ConfigError {
  return new ConfigError(
    [
      {
        path: `targets[name=${target}].apiToken`,
        message: `the API token was refused for zone ${zone} (${detail}); it needs the Zone:Read and DNS:Edit permissions on that zone`,
      },
    ],
    targetLabel(target),
  );
}

export function unknownZoneError(target: string, zone: string, detail: string): ConfigError {
  return new ConfigError(
    [{ path: `targets[name=${target}].zones`, message: `zone ${zone} not found: ${detail}` }],
    targetLabel(target),
  );
}
