import type { CommandContext, ExpectedVersion, QueryContext } from '@duet/core';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.ts';

const CORRELATION_ID = /^[\w.:-]{1,128}$/;

/**
 * The command context of a request: actor, tenant and roles from the principal only,
 * the expected version from `If-Match`, the correlation id from `Correlation-Id` when it
 * is a sane token. Nothing comes from the body.
 */
export function commandContext(
  request: FastifyRequest,
  principal: Principal | undefined,
  expectedVersion: ExpectedVersion | undefined,
): CommandContext {
  const correlationId = request.headers['correlation-id'];
  return {
    ...identity(principal),
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
    ...(typeof correlationId === 'string' && CORRELATION_ID.test(correlationId)
      ? { correlationId }
      : {}),
  };
}

/**
 * The query context of a request: the principal's identity, consistency (a position,
 * read tokens, or both, when the request gave any) and a signal.
 */
export function queryContext(
  principal: Principal | undefined,
  wanted: { readonly minPosition?: string | undefined; readonly tokens?: string[] | undefined },
  signal: AbortSignal,
): QueryContext {
  const { minPosition, tokens } = wanted;
  const consistency = {
    ...(minPosition === undefined ? {} : { minPosition }),
    ...(tokens === undefined ? {} : { tokens }),
  };
  return {
    ...identity(principal),
    ...(minPosition === undefined && tokens === undefined ? {} : { consistency }),
    signal,
  };
}

function identity(principal: Principal | undefined) {
  if (!principal) return {};
  return {
    actor: principal.id,
    roles: principal.roles,
    ...(principal.tenant === undefined ? {} : { tenant: principal.tenant }),
  };
}
