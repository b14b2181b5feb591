// @duet/http: the Fastify plugin that serves Duet commands and queries over HTTP.

export type { ApiKeyAuthenticationOptions } from './auth/api-key-authentication.ts';
export { apiKeyAuthentication } from './auth/api-key-authentication.ts';
export type { JwtAuthenticationOptions } from './auth/jwt-authentication.ts';
export { jwtAuthentication } from './auth/jwt-authentication.ts';
export type { Authenticate, Principal } from './auth/principal.ts';
export { MIN_POSITION_HEADER, MIN_POSITION_PARAM } from './context/read-min-position.ts';
export { READ_TOKEN_PARAM, READ_TOKENS_HEADER } from './context/read-request-tokens.ts';
export { duetHttp } from './duet-http.ts';
export type {
  DuetHttpOptions,
  LiveSource,
  OpenApiTag,
  Readiness,
  StreamReadOptions,
} from './duet-http-options.ts';
export { REPLAYED_HEADER } from './idempotency/run-idempotently.ts';
export { ASYNCAPI_PATH, OPENAPI_PATH } from './openapi/register-openapi.ts';
export { PAGE_SIZE_PARAMS } from './params/clamp-page-size.ts';
export { HttpProblem } from './problems/http-problem.ts';
export { problemClientErrorHandler } from './problems/problem-client-error-handler.ts';
export type { ProblemResponse } from './problems/problem-for-error.ts';
export { problemForError } from './problems/problem-for-error.ts';
export type { ProblemName } from './problems/problem-types.ts';
export { PROBLEM_TYPES, problemTypeUri } from './problems/problem-types.ts';
export { POSITION_HEADER, READ_TOKEN_HEADER } from './routes/command-route.ts';
export { NDJSON } from './routes/stream-routes.ts';
