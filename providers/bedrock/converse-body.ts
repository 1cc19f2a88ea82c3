/**
 * The Converse request body's types: what converse-request.ts builds and the parts that fill it in
 * (converse-reasoning.ts) share, without importing each other.
 * Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 */

/** A prompt-cache checkpoint: everything before it is cached (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_CachePointBlock.html). */
export interface ConverseCachePoint {
  readonly cachePoint: { readonly type: 'default'; readonly ttl?: '5m' | '1h' };
}

/** A message content block (`ContentBlock`, a union: one key per block). */
export type ConverseContentBlock =
  | { readonly text: string }
  | { readonly image: { readonly format: string; readonly source: { readonly bytes: string } | { readonly s3Location: { readonly uri: string } } } }
  | { readonly document: { readonly format: string; readonly name: string; readonly source: { readonly bytes: string } | { readonly s3Location: { readonly uri: string } }; readonly citations?: { readonly enabled: boolean } } }
  | { readonly citationsContent: { readonly content: readonly { readonly text: string }[]; readonly citations: readonly Record<string, unknown>[] } }
  | { readonly toolUse: { readonly toolUseId: string; readonly name: string; readonly input: unknown } }
  | { readonly toolResult: { readonly toolUseId: string; readonly content: readonly ConverseContentBlock[]; readonly status?: 'success' | 'error' } }
  | { readonly reasoningContent: { readonly reasoningText: { readonly text: string; readonly signature?: string } } | { readonly redactedContent: string } }
  | ConverseCachePoint;

/** One turn of the conversation; Converse requires user and assistant turns to alternate. */
export interface ConverseMessage {
  readonly role: 'user' | 'assistant';
  readonly content: ConverseContentBlock[];
}

/** A `toolConfig.tools` entry: a tool, or a cache checkpoint after the tools before it. */
export type ConverseTool = { readonly toolSpec: { readonly name: string; readonly description?: string; readonly inputSchema: { readonly json: Record<string, unknown> } } } | ConverseCachePoint;

/** `toolConfig.toolChoice`: Converse has `auto`, `any` and one named `tool` (no `none`). */
export type ConverseToolChoice = { readonly auto: Record<string, never> } | { readonly any: Record<string, never> } | { readonly tool: { readonly name: string } };

/** `inferenceConfig`: the sampling parameters every model takes. */
export interface ConverseInferenceConfig {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  stopSequences?: readonly string[];
}

/** The Converse request body (`modelId` is in the URL). */
export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: ({ readonly text: string } | ConverseCachePoint)[];
  inferenceConfig: ConverseInferenceConfig;
  toolConfig?: { readonly tools: ConverseTool[]; readonly toolChoice?: ConverseToolChoice };
  /** Model-family fields (Anthropic `thinking`, …), passed to the model as they are. */
  additionalModelRequestFields?: Record<string, unknown>;
  /** Structured output: the answer's text follows the JSON schema (a JSON string). */
  outputConfig?: { readonly textFormat: { readonly type: 'json_schema'; readonly structure: { readonly jsonSchema: { readonly schema: string; readonly name: string } } } };
}
