/** The read routes of /api/v1. The large bodies come ready-made from the view; these only slice them. */
import { normalizeName, resolveRecordRef } from '@understudy/core';
import type { EventType, UnderstudyConfig } from '@understudy/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { checkMatches } from './check-items.js';
import { HttpError } from './errors.js';
import * as S from './schemas.js';
import type { DashboardSource, DashboardViewData, StatusBody } from './types.js';

export interface ReadDeps {
  config: UnderstudyConfig;
  configHash: string;
  version: string;
  source: DashboardSource;
  now: () => number;
}

const err4xx = { '4xx': S.errorBody };
const JSON_TYPE = 'application/json; charset=utf-8';

/** "app.example.test" + "a" → the record's id, or a 404 naming what was asked for. */
export function recordIdOf(v: DashboardViewData, name: string, type: string): string {
  const n = normalizeName(name);
  if (!n.ok) throw new HttpError(400, 'bad_request', `params.name: ${n.error}`);
  const id = `${n.name}/${type.toUpperCase()}`;
  if (!v.recordIndex.has(id)) throw new HttpError(404, 'not_found', `no failover record "${id}"`);
  return id;
}

function statusOf(d: ReadDeps, v: DashboardViewData): StatusBody {
  return {
    version: d.version,
    configHash: d.configHash,
    now: d.now(),
    serial: v.serial,
    epoch: v.epoch,
    zoneGeneratedAt: v.zoneGeneratedAt,
    leader: v.leader,
    counts: v.counts,
    guard: v.guard,
    eventSeq: v.eventSeq,
  };
}

const sendJson = (reply: FastifyReply, body: string | Buffer): FastifyReply =>
  reply.type(JSON_TYPE).send(body);

export function registerReadRoutes(app: FastifyInstance, d: ReadDeps): void {
  const config = (summary: string) => ({ summary, auth: 'read' as const });

  app.get(
    '/api/v1/status',
    {
      schema: { response: { 200: S.statusBody, ...err4xx } },
      config: config('Summary of the decider state'),
    },
    async () => statusOf(d, await d.source.view()),
  );

  app.get(
    '/api/v1/regions',
    { schema: { response: { 200: S.regionsBody, ...err4xx } }, config: config('Regions and their probes') },
    async () => ({
      items: (await d.source.view()).regions,
    }),
  );

  app.get(
    '/api/v1/matrix',
    { schema: { response: { 200: S.matrixBody, ...err4xx } }, config: config('Region matrix totals') },
    async () => (await d.source.view()).matrix,
  );

  app.get<{ Querystring: { offset: number; limit: number; state?: string; q?: string } }>(
    '/api/v1/checks',
    {
      schema: { querystring: S.checksQuery, response: { 200: S.checksBody, ...err4xx } },
      config: config('Checks with per-region state, paged'),
    },
    async (req, reply) => {
      const v = await d.source.view();
      const { offset, limit, state } = req.query;
      const q = req.query.q?.trim().toLowerCase() || undefined;
      let rows: string[];
      let total: number;
      if (state === undefined && q === undefined) {
        total = v.checkJson.length;
        rows = v.checkJson.slice(offset, offset + limit);
      } else {
        const hits: number[] = [];
        v.checks.forEach((c, n) => {
          if (checkMatches(c, state, q)) hits.push(n);
        });
        total = hits.length;
        rows = hits.slice(offset, offset + limit).map((n) => v.checkJson[n]!);
      }
      return sendJson(
        reply,
        `{"total":${total},"offset":${offset},"limit":${limit},"items":[${rows.join(',')}]}`,
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/checks/:id',
    {
      schema: { params: S.idParams, response: { 200: S.checkItem, ...err4xx } },
      config: config('One check'),
    },
    async (req, reply) => {
      const v = await d.source.view();
      const n = v.checkIndex.get(req.params.id);
      if (n === undefined) throw new HttpError(404, 'not_found', `no check "${req.params.id}"`);
      return sendJson(reply, v.checkJson[n]!);
    },
  );

  app.get(
    '/api/v1/records',
    {
      schema: { response: { 200: S.recordsBody, ...err4xx } },
      config: config('Failover records and their answers per target'),
    },
    async (_req, reply) => sendJson(reply, (await d.source.view()).recordsJson),
  );

  app.get<{ Params: { name: string; type: string } }>(
    '/api/v1/records/:name/:type',
    {
      schema: { params: S.recordParams, response: { 200: S.recordItem, ...err4xx } },
      config: config('One failover record'),
    },
    async (req) => {
      const v = await d.source.view();
      return v.records[v.recordIndex.get(recordIdOf(v, req.params.name, req.params.type))!]!;
    },
  );

  app.get(
    '/api/v1/targets',
    {
      schema: { response: { 200: S.targetsBody, ...err4xx } },
      config: config('Publication targets and their sync status'),
    },
    async () => ({
      items: (await d.source.view()).targets,
    }),
  );

  app.get<{ Querystring: { before?: number; limit: number; type?: string; record?: string } }>(
    '/api/v1/events',
    {
      schema: { querystring: S.eventsQuery, response: { 200: S.eventsBody, ...err4xx } },
      config: config('The audit timeline, newest first'),
    },
    async (req) => {
      const { before, limit, type } = req.query;
      const record = req.query.record === undefined ? undefined : resolveRecord(d.config, req.query.record);
      return d.source.events({
        limit,
        ...(before !== undefined ? { before } : {}),
        ...(type !== undefined ? { type: type as EventType } : {}),
        ...(record !== undefined ? { record } : {}),
      });
    },
  );
}

/** An exact record id, or what an operator types ("app.example.test/A"); 404 otherwise. */
function resolveRecord(config: UnderstudyConfig, ref: string): string {
  try {
    return resolveRecordRef(config, ref);
  } catch {
    throw new HttpError(404, 'not_found', `query.record: no failover record "${ref}"`);
  }
}
