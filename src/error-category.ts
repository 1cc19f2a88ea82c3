/**
 * The error categories and codes, in a module of their own so that the request shapes
 * (src/types.ts), the config input and the errors can all name them without importing each other.
 */

/** The closed set of error categories; see `SwitchyardError`. */
export type ErrorCategoryName =
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'permission'
  | 'invalid_request'
  | 'context_length'
  | 'content_filter'
  | 'invalid_output'
  | 'not_found'
  | 'quota'
  | 'circuit_open'
  | 'canceled'
  | 'config'
  | 'unknown';

/**
 * Every condition an error can stand for, as `<category>.<condition>`: stable strings to branch on,
 * alert on and look up in docs/errors.md (which lists exactly these, with what produces each and
 * what a caller should do). `.provider` codes mean the provider itself answered with the error.
 */
export const ERROR_CODES = [
  'rate_limit.provider',
  'rate_limit.local',
  'rate_limit.key_pool',
  'overloaded.provider',
  'server.provider',
  'server.malformed_response',
  'server.state_store',
  'timeout.connect',
  'timeout.first_byte',
  'timeout.idle',
  'timeout.total',
  'timeout.provider',
  'network.refused',
  'network.reset',
  'network.dns',
  'network.tls',
  'network.unreachable',
  'network.closed',
  'network.other',
  'auth.provider',
  'permission.provider',
  'invalid_request.field',
  'invalid_request.provider',
  'invalid_request.no_canary',
  'invalid_request.canary_transition',
  'invalid_request.canary_conflict',
  'context_length.provider',
  'content_filter.local',
  'content_filter.provider',
  'invalid_output.json',
  'invalid_output.schema',
  'not_found.provider',
  'quota.provider',
  'circuit_open.open',
  'circuit_open.no_target',
  'canceled.caller',
  'canceled.stream_consumer',
  'canceled.provider',
  'config.invalid',
  'unknown.provider',
  'unknown.internal',
  'unknown.unknown',
] as const satisfies readonly `${ErrorCategoryName}.${string}`[];

/** The closed set of error codes (`SwitchyardError.code`), e.g. `timeout.first_byte`; see `ERROR_CODES`. */
export type ErrorCode = (typeof ERROR_CODES)[number];
