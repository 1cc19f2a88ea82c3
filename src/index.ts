/**
 * Switchyard's public API. Everything a user imports comes from here (and the upstream simulator
 * from `switchyard/testing`).
 */
export { createRouter } from './create-router.js';
export type { CreateRouterOptions } from './create-router.js';
export type { Router, RouteExplanation } from './router/router.js';
export type { BatchItem, BatchOptions, BatchResult } from './router/batch.js';

export { loadConfig, parseConfig, resolveConfig, defineConfig, parseDuration, DEFAULT_POLICIES } from './config/index.js';
export type { SwitchyardConfigInput } from './config/index.js';
export type {
  SwitchyardConfig,
  ProviderConfig,
  RouteConfig,
  TargetConfig,
  StickyKey,
  Policies,
  TimeoutPolicy,
  RetryPolicy,
  BreakerPolicy,
  RateLimitPolicy,
  LimitSpec,
  CachePolicy,
  StateConfig,
} from './config/types.js';

export { SwitchyardError, ERROR_CATEGORIES, isRetryableCategory, isCallerFault, categoryFromStatus, parseRetryAfter, redactSecrets } from './errors.js';
export type { SwitchyardErrorOptions } from './errors.js';

export type { RouterEvents, RouterEventName, RouterListener } from './events.js';

export type {
  ChatRequest,
  CallOptions,
  CallCacheOption,
  Message,
  MessageRole,
  ContentPart,
  TextPart,
  ImagePart,
  ToolDefinition,
  ToolChoice,
  ToolCall,
  ChatResponse,
  FinishReason,
  Usage,
  Target,
  Attempt,
  ErrorCategoryName,
  StreamEvent,
  TextDeltaEvent,
  ToolCallEvent,
  UsageEvent,
  FinishEvent,
} from './types.js';

export type { ProviderAdapter, ProviderType, ProviderSettings, AdapterCall, AdapterResult, AdapterStreamPart, AdapterContext, AdapterFactory } from './provider-spec.js';
