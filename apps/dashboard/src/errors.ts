/**
 * One error shape for the whole API: { error, message }, with messages that name the field at fault.
 * Domain errors from the actions map to their HTTP meaning; anything unexpected is a logged 500.
 */
import { ConfigError, NotFoundError, StateConflictError, UnsafePlanError } from '@understudy/core';
import type { Logger } from '@understudy/core';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';

export const ERROR_CODES = [
  'not_found',
  'bad_request',
  'unauthorized',
  'forbidden',
  'conflict',
  'rate_limited',
  'internal',
  // issue #10: a Host that is not served here (421), a request that took too long (408), over a cap (503).
  'misdirected',
  'timeout',
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/** "body", "/mode" → "body.mode"; array indexes stay readable ("body.items[2]"). */
function fieldOf(context: string, instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (extra) parts.push(extra);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), context);
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a JSON object',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'true or false',
  array: 'an array',
};

export function validationMessage(context: string, errors: readonly AjvError[]): string {
  const e = errors[0];
  if (!e) return `${context} is not valid`;
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `${fieldOf(context, e.instancePath, String(p.missingProperty))} is required`;
    case 'additionalProperties':
      return `${fieldOf(context, e.instancePath)} has an unknown field "${String(p.additionalProperty)}"`;
    case 'enum':
      return `${fieldOf(context, e.instancePath)} must be one of: ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${fieldOf(context, e.instancePath)} must be ${TYPE_NAMES[String(p.type)] ?? String(p.type)}`;
    case 'minLength':
      return p.limit === 1
        ? `${fieldOf(context, e.instancePath)} must not be empty`
        : `${fieldOf(context, e.instancePath)} must be at least ${String(p.limit)} characters`;
    case 'maxLength':
      return `${fieldOf(context, e.instancePath)} must be at most ${String(p.limit)} characters`;
    case 'pattern':
      return `${fieldOf(context, e.instancePath)} must not be blank`;
    case 'minimum':
    case 'maximum':
      return `${fieldOf(context, e.instancePath)} must be ${e.keyword === 'minimum' ? '>=' : '<='} ${String(p.limit)}`;
    default:
      return `${fieldOf(context, e.instancePath)} ${e.message ?? 'is not valid'}`;
  }
}

const send = (reply: FastifyReply, status: number, code: ErrorCode, message: string): FastifyReply =>
  reply.code(status).type('application/json; charset=utf-8').send({ error: code, message });

/** Fastify's own client errors (body parsing, media type, size), restated for an operator. */
function fastifyClientError(err: FastifyError): { status: number; message: string } | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, message: 'body is too large (limit 16 KiB)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, message: 'body must be JSON: send Content-Type: application/json' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, message: 'body is empty: send a JSON object' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, message: `body is not valid JSON (${err.message})` };
    default:
      break;
  }
  if (err instanceof SyntaxError) return { status: 400, message: `body is not valid JSON (${err.message})` };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500)
    return { status: err.statusCode, message: err.message };
  return null;
}

/** The code for a client error status that has no more specific one. */
export function codeOf(status: number): ErrorCode {
  switch (status) {
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 421:
      return 'misdirected';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal' : 'bad_request';
  }
}

export function errorHandler(logger: Logger) {
  return (err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    if (err.validation) {
      const context = err.validationContext ?? 'request';
      return send(reply, 400, 'bad_request', validationMessage(context, err.validation));
    }
    if (err instanceof HttpError) return send(reply, err.statusCode, err.code, err.message);
    if (err instanceof NotFoundError) return send(reply, 404, 'not_found', err.message);
    if (err instanceof StateConflictError) return send(reply, 409, 'conflict', err.message);
    if (err instanceof UnsafePlanError) return send(reply, 409, 'conflict', err.message);
    if (err instanceof ConfigError) return send(reply, 400, 'bad_request', err.message);
    const client = fastifyClientError(err);
    if (client) return send(reply, client.status, codeOf(client.status), client.message);
    logger.error({ err, method: req.method, url: req.url }, 'dashboard: request failed');
    return send(reply, 500, 'internal', 'internal error (see the server log)');
  };
}
