/**
 * The configuration loader: YAML or typed objects in, a validated `SwitchyardConfig` out.
 */
export { ConfigError, formatPath } from './config-error.js';
export {
  DEFAULT_BASE_URLS,
  DEFAULT_CACHE_POLICY,
  DEFAULT_MAX_TOKENS,
  DEFAULT_POLICIES,
  DEFAULT_RATE_LIMIT_POLICY,
  DEFAULT_REDIS_KEY_PREFIX,
  DEFAULT_STICKY,
  DEFAULT_WEIGHT,
} from './defaults.js';
export { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
export { interpolateString, interpolateValues } from './interpolate.js';
export { CONFIG_LIMITS } from './limits.js';
export { defineConfig, loadConfig, parseConfig, resolveConfig } from './load.js';
export { canonicalJson, computeVersionHash, mergePolicies } from './resolve-config.js';
export { configSchema, policiesSchema, providerSchema, routeSchema } from './schema.js';

export type { ConfigErrorOptions, ConfigProblem, PathSegment } from './config-error.js';
export type { Environment, InterpolationProblem } from './interpolate.js';
export type { LoadConfigOptions, ParseConfigOptions } from './load.js';
export type { ParsedConfig, ParsedPolicies } from './schema.js';
export type * from './config-input.js';
export type {
  BreakerPolicy,
  CachePolicy,
  LimitSpec,
  Policies,
  ProviderConfig,
  RateLimitPolicy,
  RetryPolicy,
  RouteConfig,
  StateConfig,
  StickyKey,
  SwitchyardConfig,
  TargetConfig,
  TimeoutPolicy,
} from './types.js';
