/** Cloudflare's JSON envelope, body reading and pagination for the emulator's HTTP layer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiFailure } from './types.js';

const MAX_BODY = 16 * 1024 * 1024;

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export const ok = (result: unknown, resultInfo?: ResultInfo): unknown => ({
  success: true,
  errors: [],
  messages: [],
  result,
  ...(resultInfo ? { result_info: resultInfo } : {}),
});

export const failure = (f: ApiFailure): unknown => ({
  success: false,
  errors: [
    { code: f.code, message: f.message, ...(f.detail.chain ? { error_chain: f.detail.chain } : {}) },
    ...(f.detail.more ?? []),
  ],
  messages: [],
  result: null,
});

export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiFailure(413, 1004, 'Request body too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiFailure(400, 6007, 'Malformed JSON in request body');
  }
}

export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new ApiFailure(400, 6007, 'Request body must be a JSON object');
  return body as Record<string, unknown>;
}

function positiveInt(text: string | null, fallback: number, what: string): number {
  if (text === null) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ApiFailure(400, 1004, `${what} must be a positive integer`);
  return n;
}

/** Slices one page; a page past the end is empty, which is how the SDK's auto-pager knows to stop. */
export function paginate<T>(
  items: T[],
  query: URLSearchParams,
  defaults: { perPage: number; maxPerPage: number },
): { page: T[]; info: ResultInfo } {
  const page = positiveInt(query.get('page'), 1, 'page');
  const perPage = positiveInt(query.get('per_page'), defaults.perPage, 'per_page');
  if (perPage > defaults.maxPerPage)
    throw new ApiFailure(400, 1004, `per_page must be at most ${defaults.maxPerPage}`);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return {
    page: slice,
    info: {
      page,
      per_page: perPage,
      count: slice.length,
      total_count: items.length,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
