/**
 * Mutations and drills. Every mutation needs an admin token (checked before the body is parsed) and a
 * reason; the actions write both to the audit timeline as the actor.
 */
import { resolveRecordRef } from '@understudy/core';
import type { Actor, OverrideMode, UnderstudyConfig } from '@understudy/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.js';
import { recordIdOf } from './routes-read.js';
import * as S from './schemas.js';
import type { TokenGate } from './security.js';
import type { DashboardActions, DashboardSource } from './types.js';

export interface ActionDeps {
  config: UnderstudyConfig;
  source: DashboardSource;
  actions: DashboardActions;
  gate: TokenGate;
}

const err4xx = { '4xx': S.errorBody };
type RecordParams = { name: string; type: string };

const actor = (req: FastifyRequest<{ Body: { reason: string } }>): Actor => ({
  name: req.actorName,
  reason: req.body.reason.trim(),
});

export function registerActionRoutes(app: FastifyInstance, d: ActionDeps): void {
  const admin = (summary: string) => ({
    config: { summary, auth: 'admin' as const },
    onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
      d.gate.authenticate(req, reply);
      return Promise.resolve();
    },
  });

  /** The record as it is after the action: the view is rebuilt first. */
  const recordAfter = async (id: string) => {
    await d.source.refresh();
    const v = await d.source.view();
    return { record: v.records[v.recordIndex.get(id)!]! };
  };

  app.post<{ Params: RecordParams; Body: { answer: string; mode: OverrideMode; reason: string } }>(
    '/api/v1/records/:name/:type/overrides',
    {
      ...admin('Set an answer up, down, or back to obeying its check'),
      schema: { params: S.recordParams, body: S.overrideBody, response: { 200: S.recordBody, ...err4xx } },
    },
    async (req) => {
      const id = recordIdOf(await d.source.view(), req.params.name, req.params.type);
      await d.actions.setOverride(id, req.body.answer, req.body.mode, actor(req));
      return recordAfter(id);
    },
  );

  app.post<{ Params: RecordParams; Body: { reason: string } }>(
    '/api/v1/records/:name/:type/approve-failback',
    {
      ...admin('Approve a pending manual failback'),
      schema: { params: S.recordParams, body: S.reasonBody, response: { 200: S.recordBody, ...err4xx } },
    },
    async (req) => {
      const id = recordIdOf(await d.source.view(), req.params.name, req.params.type);
      await d.actions.approveFailback(id, actor(req));
      return recordAfter(id);
    },
  );

  app.post<{ Body: { reason: string } }>(
    '/api/v1/guard/release',
    {
      ...admin('Release the mass-failure guard'),
      schema: { body: S.reasonBody, response: { 200: S.okBody, ...err4xx } },
    },
    async (req) => {
      await d.actions.releaseGuard(actor(req));
      await d.source.refresh();
      return { ok: true };
    },
  );

  app.post<{ Params: { name: string }; Body: { reason: string } }>(
    '/api/v1/targets/:name/force',
    {
      ...admin('Apply the current plan to a provider target once, even if unsafe'),
      schema: { params: S.targetParams, body: S.reasonBody, response: { 200: S.forceBody, ...err4xx } },
    },
    async (req) => {
      const known = (await d.source.view()).targets.some((t) => t.target === req.params.name);
      if (!known) throw new HttpError(404, 'not_found', `no target "${req.params.name}"`);
      const results = await d.actions.forcePlan(req.params.name, actor(req));
      await d.source.refresh();
      return { results };
    },
  );

  app.post<{ Body: { record: string; target?: string; reason: string } }>(
    '/api/v1/drills',
    {
      ...admin('Start a drill: force the current answer down, time every target, restore'),
      schema: { body: S.drillBody, response: { 202: S.acceptedBody, ...err4xx } },
    },
    async (req, reply) => {
      const recordId = resolveDrillRecord(d.config, req.body.record);
      const { target } = req.body;
      const started = await d.actions.startDrill({
        recordId,
        actor: actor(req),
        ...(target ? { target } : {}),
      });
      return reply.code(202).send({ id: started.id });
    },
  );

  app.post<{ Body: { reason: string } }>(
    '/api/v1/reload',
    {
      ...admin(
        'Re-read and validate the config file, and apply it; a bad file is refused with every problem',
      ),
      schema: { body: S.reasonBody, response: { 200: S.reloadBody, 422: S.reloadBody, ...err4xx } },
    },
    async (req, reply) => {
      if (!d.actions.reload) throw new HttpError(503, 'unavailable', 'this process cannot reload its config');
      const outcome = await d.actions.reload(actor(req));
      await d.source.refresh();
      return reply.code(outcome.ok ? 200 : 422).send(outcome);
    },
  );

  const read = { summary: '', auth: 'read' as const };
  app.get<{ Params: { id: string } }>(
    '/api/v1/drills/:id',
    {
      config: { ...read, summary: 'One drill report' },
      schema: { params: S.idParams, response: { 200: S.drillReport, ...err4xx } },
    },
    async (req) => {
      const report = await d.actions.drill(req.params.id);
      if (!report) throw new HttpError(404, 'not_found', `no drill "${req.params.id}"`);
      return report;
    },
  );

  app.get(
    '/api/v1/drills',
    { config: { ...read, summary: 'Drill reports' }, schema: { response: { 200: S.drillsBody, ...err4xx } } },
    async () => ({ items: await d.actions.drills() }),
  );
}

function resolveDrillRecord(config: UnderstudyConfig, ref: string): string {
  try {
    return resolveRecordRef(config, ref);
  } catch {
    throw new HttpError(404, 'not_found', `body.record: no failover record "${ref}"`);
  }
}
