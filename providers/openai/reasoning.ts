/**
 * Reasoning for Chat Completions providers.
 *
 * Requests: `reasoning` becomes `reasoning_effort` (`low` / `medium` / `high`); a token budget is
 * mapped to an effort (`effortForBudget`), since Chat Completions has no budget field. OpenAI and
 * Azure reject `reasoning_effort` for models without reasoning, so there it is sent only to models
 * whose name says they reason (`o1`, `o3`, `o4-mini`, `gpt-5`…; an Azure deployment is judged by its
 * name); compatible servers get it whenever asked (DeepSeek maps low and medium to high; vLLM and
 * Ollama pass it to the model's template).
 *
 * Answers: OpenAI's Chat Completions API shows no reasoning text, only
 * `usage.completion_tokens_details.reasoning_tokens`. DeepSeek-style servers send the reasoning as
 * `reasoning_content` beside `content` (and in stream deltas); it becomes a reasoning part, never text.
 *
 * History: DeepSeek's thinking mode requires an assistant turn's `reasoning_content` back in later
 * requests when that turn called tools, and ignores it on other turns
 * (https://api-docs.deepseek.com/guides/thinking_mode, "Tool calls"). So for `openai-compatible`
 * providers the reasoning parts that provider type produced go back as `reasoning_content` on
 * assistant messages with tool calls, and nowhere else; OpenAI and Azure never receive it.
 */
import type { ChatRequest, Message, ReasoningPart } from '../../src/types.js';
import type { Mutable } from '../../src/mutable.js';
import { effortOf, type ReasoningEffort } from '../../src/reasoning-effort.js';


/** How a Chat Completions provider handles reasoning. */
export interface ChatReasoningOptions {
  /** The upstream model or Azure deployment name. */
  readonly model: string;
  /** `reasoning-models`: `reasoning_effort` only for models known to reason; `always`: whenever asked. */
  readonly effort: 'reasoning-models' | 'always';
  /** The provider type whose reasoning parts go back as `reasoning_content` on tool-call turns; absent: never. */
  readonly sendBack?: string;
}



/**
 * OpenAI models with reasoning: the o-series, GPT-5 and Codex (an optional `openai/` prefix
 * allowed), but not the `-chat` variants (`gpt-5-chat-latest`), which do not reason and refuse
 * reasoning fields.
 */
export function openAIModelReasons(model: string): boolean {
  return /^(openai\/)?(o\d|gpt-5|codex-)/i.test(model) && !/-chat(-|$)/i.test(model);
}

/** A reasoning part from a `reasoning_content` value, for the provider type that answered. */
export function reasoningContentPart(text: string, providerType: string): ReasoningPart {
  return { type: 'reasoning', text, provider: providerType };
}

/** The `reasoning_content` to send back with an assistant message, if any. */
function reasoningContentOf(message: Message, providerType: string): string | undefined {
  const texts = (message.reasoning ?? []).filter((part) => part.provider === providerType && part.text !== '').map((part) => part.text);
  return texts.length === 0 ? undefined : texts.join('');
}

/** The body fields reasoning reads and sets. */
interface ReasoningBodyFields {
  reasoning_effort?: ReasoningEffort;
  messages: readonly unknown[];
}

/**
 * Sets `reasoning_effort` and, for providers that take it back, `reasoning_content` on the
 * assistant messages that called tools. `body.messages` must be `toOpenAIMessages(request)`: its
 * assistant messages with `tool_calls` are, in order, the request's assistant messages with tool calls.
 */
export function applyChatReasoning(body: ReasoningBodyFields, request: ChatRequest, options: ChatReasoningOptions): void {
  if (request.reasoning !== undefined && (options.effort === 'always' || openAIModelReasons(options.model))) {
    body.reasoning_effort = effortOf(request.reasoning);
  }
  const providerType = options.sendBack;
  if (providerType === undefined || !request.messages.some((message) => message.reasoning !== undefined)) return;
  const sources = request.messages.filter((message) => message.role === 'assistant' && (message.toolCalls ?? []).length > 0);
  let next = 0;
  body.messages = body.messages.map((message) => {
    const wire = message as { role?: unknown; tool_calls?: unknown };
    if (wire.role !== 'assistant' || !Array.isArray(wire.tool_calls)) return message;
    const source = sources[next];
    next += 1;
    const reasoning = source === undefined ? undefined : reasoningContentOf(source, providerType);
    if (reasoning === undefined) return message;
    const withReasoning: Mutable<Record<string, unknown>> = { ...(message as Record<string, unknown>), reasoning_content: reasoning };
    return withReasoning;
  });
}
