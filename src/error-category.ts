/**
 * The error categories, in a module of their own so that the request shapes (src/types.ts), the
 * config input and the errors can all name them without importing each other.
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
  | 'not_found'
  | 'quota'
  | 'circuit_open'
  | 'canceled'
  | 'config'
  | 'unknown';
