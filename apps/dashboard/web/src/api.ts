/** The API client: JSON over fetch, the bearer token from sessionStorage, server errors kept verbatim. */

const TOKEN_KEY = 'understudy.token';

/** A refused or failed request, carrying the server's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function getToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be disabled (private mode); the token then lives for this page only.
  }
  memoryToken = token;
}

let memoryToken = '';

function authHeaders(): Record<string, string> {
  const token = getToken() || memoryToken;
  return token ? { authorization: `Bearer ${token}` } : {};
}

function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return null;
  }
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const body = parseJson(text);
  if (!res.ok) {
    const err = (body ?? {}) as { error?: string; message?: string };
    const message = err.message ?? (text.trim() || `HTTP ${res.status}`);
    throw new ApiError(res.status, err.error ?? `http_${res.status}`, message);
  }
  return body as T;
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(`/api/v1${path}`, { headers: authHeaders(), signal: signal ?? null });
  return parse<T>(res);
}

export async function apiPost<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
  });
  return parse<T>(res);
}

/** Record routes take name and type in the path, because record ids contain '/'. */
export function recordPath(rec: { name: string; type: string }): string {
  return `/records/${encodeURIComponent(rec.name)}/${encodeURIComponent(rec.type)}`;
}

export function errorText(err: unknown): string {
  if (err instanceof ApiError) return `${err.message} (HTTP ${err.status})`;
  if (err instanceof Error) return err.message;
  return String(err);
}
