/** HTTP and HTTPS checks: resolve, connect, TLS (https), request, judge status and (optionally) body. */
import type { Socket } from 'node:net';
import type { CheckOutcome, Clock, HttpCheckConfig } from '@understudy/core';
import { caSecureContext } from './ca-file.js';
import { connectTcp, resolveHost } from './connect.js';
import { readBody, sendRequest } from './http-exchange.js';
import type { LookupFn } from './lookup.js';
import { bodyMatcher, formatRanges, statusMatches } from './matchers.js';
import { CheckFailure } from './run-context.js';
import type { RunContext } from './run-context.js';
import { httpTarget } from './target.js';
import { tlsHandshake } from './tls-handshake.js';

export interface CheckDeps {
  clock: Clock;
  lookup: LookupFn;
}

export async function httpCheck(
  check: HttpCheckConfig,
  ctx: RunContext,
  deps: CheckDeps,
): Promise<CheckOutcome> {
  const target = httpTarget(check);
  const secure = check.type === 'https';
  const secureContext =
    secure && check.tls.caFile !== null ? await caSecureContext(check.tls.caFile) : undefined;
  const matcher = bodyMatcher(check.body);

  const address = await resolveHost(ctx, target.connectHost, deps.lookup);
  let socket: Socket = await connectTcp(ctx, address, check.port);
  if (secure) socket = await tlsHandshake(ctx, socket, check, target, secureContext, deps.clock);

  const res = await sendRequest(ctx, socket, check, target);
  const status = res.statusCode ?? 0;
  ctx.status = status;
  if (!statusMatches(status, check.expectStatus)) {
    throw new CheckFailure('status', `HTTP ${status} (expected ${formatRanges(check.expectStatus)})`);
  }
  if (matcher) {
    ctx.enter('body');
    const text = await readBody(res, check.maxBodyBytes);
    if (!matcher.test(text)) {
      throw new CheckFailure(
        'body',
        `body does not ${matcher.describe} within the first ${check.maxBodyBytes} bytes`,
      );
    }
  }
  return ctx.ok();
}
