/** The OpenAPI 3.1 document, generated from the schemas Fastify registered for each route. */
import type { RouteOptions } from 'fastify';
import { errorBody } from './schemas.js';

export interface RouteDoc {
  method: string;
  url: string;
  summary?: string;
  auth: 'none' | 'read' | 'admin';
  schema: {
    params?: unknown;
    querystring?: unknown;
    body?: unknown;
    response?: Record<string, unknown>;
  };
  /** Non-JSON response media type (the event stream). */
  produces?: string;
}

/** Collects the API routes as Fastify registers them (HEAD twins excluded). */
export function routeDoc(r: RouteOptions): RouteDoc | null {
  const methods = Array.isArray(r.method) ? r.method : [r.method];
  if (!r.url.startsWith('/api/') || methods.includes('HEAD')) return null;
  const cfg = (r.config ?? {}) as { summary?: string; auth?: RouteDoc['auth']; produces?: string };
  return {
    method: methods[0]!.toUpperCase(),
    url: r.url,
    ...(cfg.summary ? { summary: cfg.summary } : {}),
    auth: cfg.auth ?? 'none',
    schema: (r.schema ?? {}) as RouteDoc['schema'],
    ...(cfg.produces ? { produces: cfg.produces } : {}),
  };
}

/** "/api/v1/records/:name/:type" → "/api/v1/records/{name}/{type}" */
export const openapiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

type Schema = { properties?: Record<string, unknown>; required?: string[] };

function parameters(where: 'path' | 'query', schema: unknown): unknown[] {
  const s = (schema ?? {}) as Schema;
  return Object.entries(s.properties ?? {}).map(([name, sch]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: sch,
  }));
}

function operation(r: RouteDoc, readAuth: boolean): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(r.schema.response ?? {})) {
    // OpenAPI spells status ranges in capitals ("4XX"); Fastify's schemas use "4xx".
    const key = status.toUpperCase();
    const type = status.startsWith('2') && r.produces ? r.produces : 'application/json';
    responses[key] = {
      description: key === '4XX' ? 'client error' : 'success',
      content: { [type]: { schema } },
    };
  }
  // Any route can fail inside the server; the body has the same shape.
  responses['5XX'] ??= {
    description: 'server error',
    content: { 'application/json': { schema: errorBody } },
  };
  const needsToken = r.auth === 'admin' || (r.auth === 'read' && readAuth);
  return {
    operationId: `${r.method.toLowerCase()}${openapiPath(r.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase())}`,
    ...(r.summary ? { summary: r.summary } : {}),
    parameters: [...parameters('path', r.schema.params), ...parameters('query', r.schema.querystring)],
    ...(r.schema.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: r.schema.body } } } }
      : {}),
    responses,
    security: needsToken ? [{ bearer: [] }] : [],
  };
}

export function openapiDocument(routes: readonly RouteDoc[], version: string, readAuth: boolean): object {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[openapiPath(r.url)] ??= {})[r.method.toLowerCase()] = operation(r, readAuth);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Understudy dashboard API',
      version,
      description:
        'Read the decider’s view (checks, records, regions, targets, events) and act on it. Mutations need an ' +
        'admin token (Authorization: Bearer <token>) and a reason, both written to the audit timeline.',
    },
    paths,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
}
