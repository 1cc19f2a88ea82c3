/**
 * Switchyard's public API. Everything a user imports comes from here (and the upstream simulator
 * from `switchyard-llm/testing`).
 */
export { createRouter } from './create-router.js';
export type { CreateRouterOptions } from './create-router.js';
export type { Router, RouteExplanation } from './router/router.js';
export type { CallPolicies } from './types.js';
export type { BatchItem, BatchOptions, BatchResult } from './router/batch.js';
export type { ChangeList, ConfigChanges, ConfigReloaded } from './router/reload-changes.js';

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

export { SwitchyardError, ERROR_CATEGORIES, ERROR_CODES, defaultErrorCode, isRetryableCategory, isCallerFault, categoryFromStatus, parseRetryAfter, redactSecrets } from './errors.js';
export type { ErrorCode, SwitchyardErrorOptions } from './errors.js';

/** The HTTP gateway (`switchyard serve`) for embedding: see docs/gateway.md. */
export { createGateway } from './gateway/create-gateway.js';
export type { Gateway, GatewayOptions } from './gateway/create-gateway.js';
export type { GatewayReload } from './gateway/gateway-reload.js';
export type { GatewayConfig, StaticKeyConfig, KeyQuota, KeyLimits } from './config/types.js';
/**
 * Secrets in errors: `registerSecret` adds a value to the process-wide registry every redaction
 * reads; a `SwitchyardError`'s foreign causes are kept as `SanitizedCause`s (name, code, redacted
 * message). See docs/observability.md, "Secrets in errors and events".
 */
export { registerSecret, SanitizedCause } from './errors.js';

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
  DocumentPart,
  DocumentMediaType,
  FileReference,
  Citation,
  CacheBreakpoint,
  ResponseFormat,
  ToolDefinition,
  ToolChoice,
  ToolCall,
  ReasoningOption,
  ReasoningPart,
  ChatResponse,
  ProviderMetadata,
  ProviderMetadataEntry,
  FinishReason,
  Usage,
  Target,
  Attempt,
  ErrorCategoryName,
  StreamEvent,
  TextDeltaEvent,
  ReasoningDeltaEvent,
  ReasoningEvent,
  ToolCallDeltaEvent,
  ToolCallEvent,
  CitationsEvent,
  UsageEvent,
  FinishEvent,
} from './types.js';

/**
 * The provider spec: the public, versioned contract custom adapters implement
 * (`createRouter(config, { providers: { [type]: factory } })`; see docs/extending.md).
 */
export { PROVIDER_SPEC_VERSION } from './provider-spec.js';
export type { ProviderAdapter, ProviderType, ProviderSettings, AdapterCall, AdapterResult, AdapterStreamPart, AdapterContext, AdapterFactory } from './provider-spec.js';
/** Embeddings (`router.embed()`): the request and answer shapes, and what an adapter's `doEmbed` sees and returns. */
export type { EmbedRequest, EmbedResponse, EmbeddingTaskType, EmbeddingUsage } from './embedding-types.js';
export type { AdapterEmbedCall, AdapterEmbedResult } from './provider-spec.js';
/** Key pools (`apiKeys`): what a custom adapter gets as `AdapterContext.keyPool`, and the `provider-key` event's payload. */
export type { KeyPoolSettings, ProviderTypeName, WeightedApiKey } from './provider-spec.js';
export type { KeyLease, KeyPool, KeyPoolChange } from './http/key-pool.js';
/**
 * Bedrock and Vertex AI adapter factories with credentials given in code (a vault, a token
 * service) instead of the environment: `createRouter(config, { providers: { bedrock: createBedrockAdapterFactory({ credentials }) } })`.
 */
export { createBedrockAdapterFactory } from '../providers/bedrock/index.js';
export type { AwsCredentials, BedrockAdapterOptions } from '../providers/bedrock/index.js';
export { createVertexAdapterFactory } from '../providers/vertex/index.js';
export type { AccessToken, AccessTokenProvider, VertexAdapterOptions } from '../providers/vertex/index.js';
/**
 * What adapters receive and `createRouter({ transport })` accepts: a transport of your own, or
 * `{ dispatcher }`, any undici `Dispatcher` (`ProxyAgent`, an `Agent` with client certificates).
 */
export { createPooledTransport, createDispatcherTransport } from './http/transport.js';
export type { HttpTransport, HttpRequest, HttpResponse, HttpBody, HttpExchange, PoolSettings } from './http/transport.js';
export type { DispatcherOption } from './router/router.js';

export type { RouterPlugin, RouterInternals } from './router/plugin.js';
/**
 * Pipeline stages: `Stage<C, T>.execute(context, next)`, composed outermost-first. Call stages see a
 * `CallContext` once per call; attempt stages an `AttemptContext` once per try; both produce a
 * `CallOutcome`. Add yours with `createRouter(config, { stages, attemptStages })`, each a stage or
 * `{ stage, before | after: '<built-in stage>' }` (`PlacedStage`); see docs/extending.md.
 */
export type { Stage } from './pipeline/stage.js';
export type { PlacedStage } from './pipeline/stage-placement.js';
export { CALL_STAGE_NAMES, ATTEMPT_STAGE_NAMES } from './pipeline/stage-placement.js';
export type { AttemptContext, CallContext, CallNotes, CallOutcome, StartedStream, TargetAssigner, TargetNames } from './pipeline/context.js';

export { createMetricsPlugin, CALL_DURATION_BUCKETS, TIME_TO_FIRST_TOKEN_BUCKETS, RATE_LIMIT_WAIT_BUCKETS } from './metrics/index.js';
export type { MetricsPlugin, MetricsPluginOptions } from './metrics/index.js';
export { createContentFilterPlugin, createContentFilterStage, createSensitiveWordFilter, createWordMatcher } from './filters/index.js';
export type { WordMatch, WordMatcher, SensitiveWordFilter, ContentCheck } from './filters/index.js';
export { createTracingPlugin, createDeferredTracingPlugin } from './tracing/index.js';
export type { TracingPluginOptions, DeferredTracingPlugin } from './tracing/index.js';
export { LIBRARY_VERSION } from './version.js';
export { createAuditPlugin, costOf } from './audit/index.js';
export { verifyAuditFiles } from './audit/index.js';
export type { AuditPlugin, AuditPluginOptions, AuditRecordHandler, AuditRecord, CallRecord, CanaryDecisionAuditRecord } from './audit/index.js';
export { redact, REDACTION_KINDS } from './redaction/index.js';
export { createCanaryPlugin, renderCanaryReport, renderCanarySvg, renderCanaryHtml, CanaryControlError } from './canary/index.js';
export type {
  CanaryController,
  CanaryPlugin,
  CanaryPluginOptions,
  CanaryStatus,
  ArmSummary,
  StepSummary,
  CanaryDecisionRecord,
  CanaryDecisionAction,
  CanaryDecisionRule,
  CanaryEvidence,
  GuardResult,
  OperatorNote,
} from './canary/index.js';
