/**
 * The audit record schema, version 1: one JSON object per line. Every record is a link of a hash
 * chain (`seq`, `prevHash`, `hash`); most are `call` records, one per model call; a
 * `canary-decision` record is written for each decision of a canary rollout; and a few are
 * markers the writer adds: `open` when a writer starts a chain or continues one, `rotate` as the
 * first record of a file started by rotation. `docs/audit.md` documents every field.
 */
import type { CanaryEvidence } from '../canary/canary-evidence.js';
import type { CanaryDecisionAction, CanaryDecisionRule } from '../canary/decision-record.js';
import type { RolloutStateName } from '../canary/decision-record.js';
import type { ErrorCategoryName, FinishReason, ToolChoice } from '../types.js';

/** The schema version written into every record. */
export const AUDIT_SCHEMA_VERSION = 1;

/** The `prevHash` of a chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Fields every record has besides its chain links. */
export interface AuditRecordCommon {
  readonly schema: typeof AUDIT_SCHEMA_VERSION;
  /** Wall-clock time, ISO 8601 UTC: when the call started (`call`), when the decision was made (`canary-decision`), or when the marker was written. */
  readonly ts: string;
  /** The config's `versionHash`. */
  readonly configVersion: string;
  /** The library version that wrote the record. */
  readonly libraryVersion: string;
}

/** The chain links sealed onto a record. */
export interface ChainLinks {
  /** 1 for a chain's first record, then one more per record, across files. */
  readonly seq: number;
  /** The previous record's `hash` (`GENESIS_HASH` for the first). */
  readonly prevHash: string;
  /** SHA-256 (hex) of the canonical JSON of the record without `hash`. */
  readonly hash: string;
}

/** One try of a call, as recorded. */
export interface AuditAttempt {
  readonly route: string;
  readonly provider: string;
  readonly model: string;
  /** `ok`, or the error category. */
  readonly outcome: 'ok' | ErrorCategoryName;
  readonly status?: number;
  readonly ms: number;
}

/** A message as recorded in `redacted` and `full` content modes. */
export interface AuditMessage {
  readonly role: string;
  /**
   * Text, or parts: `{ type: 'text', text }`, `{ type: 'image', mediaType?, url?, sha256?, file? }` and
   * `{ type: 'document', context?, file?, mediaType, title?, url?, sha256? }` (image and document bytes
   * are never recorded, only their hash; an uploaded file only as its `{ id, provider }`).
   */
  readonly content: string | readonly Record<string, unknown>[];
  readonly toolCalls?: readonly { readonly id: string; readonly name: string; readonly arguments: unknown }[];
  readonly toolCallId?: string;
  readonly name?: string;
  /** Assistant messages: the text of their reasoning parts, joined (signatures are never recorded). */
  readonly reasoning?: string;
}

/** Prompt and answer, in `redacted` and `full` content modes. */
export interface AuditContent {
  readonly system?: string;
  readonly messages: readonly AuditMessage[];
  readonly response?: {
    /** The answer's reasoning text, joined, when it showed any (recorded like `text`). */
    readonly reasoning?: string;
    readonly text: string;
    readonly toolCalls: readonly { readonly id: string; readonly name: string; readonly arguments: unknown }[] };
}

/** A call record before it is sealed into the chain. */
export interface CallRecordBody extends AuditRecordCommon {
  readonly kind: 'call';
  readonly requestId: string;
  readonly traceId?: string;
  readonly tenant?: string;
  /** As given, or `hmac-sha256:<hex>` when `audit.pseudonymize` is set. */
  readonly user?: string;
  /** Caller-supplied fields (`options.auditFields`: purpose, case number...). */
  readonly fields?: Readonly<Record<string, string>>;
  /** The request's `metadata` (intent...). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The end user's IP, only with `audit.include.ip`. */
  readonly ip?: string;
  /** `embed` for `router.embed()` calls (their inputs are recorded as user messages; the vectors never are). */
  readonly mode: 'chat' | 'stream' | 'embed';
  /** The requested route. */
  readonly route: string;
  /** The route that answered (a fallback's name when one did). */
  readonly servedRoute?: string;
  /** The target that answered, or for a failed call the last one tried. */
  readonly target?: { readonly provider: string; readonly model: string };
  /** The canary arm, when the call was part of a canary rollout. */
  readonly arm?: 'baseline' | 'candidate';
  readonly canary?: { readonly route: string; readonly arm: 'baseline' | 'candidate'; readonly step: number; readonly weight: number };
  /** The model asked for (`request.model`), the target's model, and the one the provider reported serving. */
  readonly model: { readonly requested: string; readonly target?: string; readonly served?: string };
  readonly parameters: {
    readonly temperature?: number;
    readonly maxTokens?: number;
    readonly topP?: number;
    readonly stop?: readonly string[];
    /** Names of the tools offered. */
    readonly tools?: readonly string[];
    readonly toolChoice?: ToolChoice;
  };
  /** SHA-256 of the canonical JSON of `{ system, messages, tools }`; absent in content mode `none`. */
  readonly promptHash?: string;
  /** SHA-256 of the canonical JSON of `{ text, toolCalls }`; absent in mode `none` and for failed calls. */
  readonly responseHash?: string;
  /** Prompt and answer, in content modes `redacted` and `full`. */
  readonly content?: AuditContent;
  /** `cachedInputTokens`: input tokens read from the provider's prompt cache; `cacheWriteInputTokens`: written to it. */
  readonly usage?: { readonly inputTokens: number; readonly outputTokens: number; readonly totalTokens: number; readonly cachedInputTokens?: number; readonly cacheWriteInputTokens?: number };
  /** US dollars, from `pricing`; 0 for answers served from the cache; absent when no price is known. */
  readonly costUsd?: number;
  readonly latencyMs: number;
  /** Time to first output, streams only. */
  readonly ttftMs?: number;
  readonly outcome: 'ok' | 'error';
  readonly finishReason?: FinishReason;
  readonly error?: {
    readonly category: ErrorCategoryName;
    readonly message: string;
    readonly retryable: boolean;
    readonly status?: number;
    readonly provider?: string;
    readonly model?: string;
    readonly providerCode?: string;
  };
  readonly attempts: readonly AuditAttempt[];
  /** `hit`, `miss`, `shared` or `bypass`, when the cache stage ran. */
  readonly cache?: 'hit' | 'miss' | 'bypass' | 'shared';
  /** Targets skipped because their circuit breaker was open. */
  readonly breaker?: { readonly skipped: readonly string[] };
  /** Time spent waiting for rate-limit room. */
  readonly rateLimit?: { readonly waitMs: number };
  readonly retryBudgetExhausted?: boolean;
  readonly sensitiveWordHits?: number;
}

/** Where a canary rollout stood, before or after a decision, as recorded. */
export interface AuditRolloutPosition {
  /** The rollout's state: `running`, `paused`, `rolled_back`, `completed` or `aborted`. */
  readonly state: RolloutStateName;
  /** 0-based index into the configured steps. */
  readonly step: number;
  /** The candidate's weight, 0–100. */
  readonly weight: number;
  /** The step's epoch: every start of a step gets a new one (statistics are kept per epoch). */
  readonly epoch: number;
}

/** A canary rollout decision before it is sealed into the chain; `ts` is when it was made. */
export interface CanaryDecisionRecordBody extends AuditRecordCommon {
  readonly kind: 'canary-decision';
  /** The decision's id (UUID): the same id its webhooks carry and the rollout's history keeps. */
  readonly decisionId: string;
  /** The route the rollout runs on. */
  readonly route: string;
  /** The rollout's id (route and a hash of baseline, candidate and salt). */
  readonly rollout: string;
  /** `provider/model` of the baseline arm. */
  readonly baseline: string;
  /** `provider/model` of the candidate arm. */
  readonly candidate: string;
  /** What was decided: `promote`, `complete`, `hold`, `rollback`, `pause`, `resume`, `abort` or `approval-requested`. */
  readonly decision: CanaryDecisionAction;
  /** The rule that fired, as a stable code (`passed`, `guard-failed`, `sample-ratio`, `operator`...). */
  readonly rule: CanaryDecisionRule;
  /** `auto`: the decision engine; `operator`: an API or CLI call. */
  readonly by: 'auto' | 'operator';
  /** Who: the operator's name as given, or `switchyard` for automatic decisions; redacted (secrets and every `audit.redact` kind). */
  readonly actor: string;
  /** Why, in words; redacted (secrets and every `audit.redact` kind), since operators may paste anything here. */
  readonly reason: string;
  /** Where the rollout stood before the decision. */
  readonly from: AuditRolloutPosition;
  /** Where the rollout stands after it. */
  readonly to: AuditRolloutPosition;
  /** The numbers behind the decision (call counts, rates, bounds, p-values) as the decision engine gave them; absent for decisions made without evidence. */
  readonly evidence?: CanaryEvidence;
}

/** A marker: the writer started (a new chain, or continuing the head it found). */
export interface OpenMarkerBody extends AuditRecordCommon {
  readonly kind: 'open';
  readonly pid: number;
  /** Bytes of an incomplete last line (a crash mid-write) cut from the file before continuing, and their SHA-256. */
  readonly recovered?: { readonly tornBytes: number; readonly sha256: string };
}

/** A marker: the first record of a file started by rotation. */
export interface RotateMarkerBody extends AuditRecordCommon {
  readonly kind: 'rotate';
  /** The file name (no directory) the previous records were rotated into. */
  readonly previousFile: string;
}

/** Any record before sealing. */
export type AuditRecordBody = CallRecordBody | CanaryDecisionRecordBody | OpenMarkerBody | RotateMarkerBody;

/** A sealed call record, as sinks receive it. */
export type CallRecord = CallRecordBody & ChainLinks;

/** A sealed canary decision record, as sinks receive it. */
export type CanaryDecisionAuditRecord = CanaryDecisionRecordBody & ChainLinks;

/** Any sealed record. */
export type AuditRecord = AuditRecordBody & ChainLinks;
