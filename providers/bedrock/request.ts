/**
 * The InvokeModel body for an Anthropic model on Bedrock: the Anthropic Messages body the Anthropic
 * adapter builds, without `model` (it is in the URL) and `stream` (the endpoint decides), with
 * `anthropic_version: "bedrock-2023-05-31"`, and the `anthropic-beta` header, if configured, as the
 * body's `anthropic_beta` list (Bedrock takes betas there). The same shape Anthropic's own Bedrock
 * SDK sends (anthropics/anthropic-sdk-typescript `packages/bedrock-sdk/src/client.ts`).
 */
import type { AdapterCall, ProviderSettings } from '../../src/provider-spec.js';
import { buildAnthropicRequest, type AnthropicRequestBody } from '../anthropic/request.js';

/** The `anthropic_version` Bedrock requires in the body. */
export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** The body of `POST /model/{modelId}/invoke` (and `/invoke-with-response-stream`). */
export type BedrockAnthropicBody = Omit<AnthropicRequestBody, 'model' | 'stream'> & {
  readonly anthropic_version: string;
  readonly anthropic_beta?: readonly string[];
};

/** The configured `anthropic-beta` values, from the provider's headers (any case). */
function betasOf(settings: ProviderSettings): string[] | undefined {
  for (const [name, value] of Object.entries(settings.headers)) {
    if (name.toLowerCase() !== 'anthropic-beta') continue;
    const betas = value.split(',').map((beta) => beta.trim()).filter((beta) => beta !== '');
    return betas.length > 0 ? betas : undefined;
  }
  return undefined;
}

/** The InvokeModel body for a call. */
export function buildBedrockBody(call: AdapterCall, settings: ProviderSettings): BedrockAnthropicBody {
  const { model: _model, stream: _stream, ...messages } = buildAnthropicRequest({ request: call.request, model: call.model, settings });
  const betas = betasOf(settings);
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...messages, ...(betas === undefined ? {} : { anthropic_beta: betas }) };
}
