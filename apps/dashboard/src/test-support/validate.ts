/** Validates response bodies against the route schemas (the same objects the OpenAPI document is built from). */
import { createRequire } from 'node:module';
import * as S from '../schemas.js';

interface AjvLike {
  compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown };
  errorsText(errors: unknown): string;
}
// The Ajv 8 that Fastify validates with (the workspace root hoists an older Ajv 6 from eslint).
const require = createRequire(import.meta.url);
const fastifyAjv = require.resolve('ajv', { paths: [require.resolve('@fastify/ajv-compiler')] });
const { Ajv } = require(fastifyAjv) as { Ajv: new (opts: object) => AjvLike };

const BY_ROUTE: Record<string, object> = {
  'GET /api/v1/status': S.statusBody,
  'GET /api/v1/regions': S.regionsBody,
  'GET /api/v1/matrix': S.matrixBody,
  'GET /api/v1/checks': S.checksBody,
  'GET /api/v1/checks/:id': S.checkItem,
  'GET /api/v1/records': S.recordsBody,
  'GET /api/v1/records/:name/:type': S.recordItem,
  'GET /api/v1/targets': S.targetsBody,
  'GET /api/v1/events': S.eventsBody,
  'GET /api/v1/drills': S.drillsBody,
  'GET /api/v1/drills/:id': S.drillReport,
  'POST /api/v1/records/:name/:type/overrides': S.recordBody,
  error: S.errorBody,
};

export function responseValidator(): (method: string, url: string, body: unknown) => boolean {
  const ajv = new Ajv({ strict: false, allErrors: true });
  return (method, url, body) => {
    const schema = BY_ROUTE[`${method} ${url}`] ?? BY_ROUTE[url];
    if (!schema) throw new Error(`no schema for ${method} ${url}`);
    const validate = ajv.compile(schema);
    if (validate(body)) return true;
    throw new Error(`${method} ${url}: ${ajv.errorsText(validate.errors)}`);
  };
}
