/**
 * Vertex AI's errors. The platform answers in Google's shape (`{ error: { code, message, status,
 * details } }`: quota, permissions, unknown model), mapped like Gemini's; an Anthropic model's own
 * complaints come through `rawPredict` in Anthropic's shape (`{ type: "error", error: { type,
 * message } }`), mapped like Anthropic's. The body decides which, whatever the publisher.
 */
import type { ErrorMapper } from '../../src/http/post-json.js';
import { mapAnthropicError } from '../anthropic/errors.js';
import { mapGeminiError } from '../gemini/errors.js';

/** Whether a parsed body is an Anthropic error (`{ type: "error", error: { type } }`). */
function isAnthropicErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { type, error } = body as { type?: unknown; error?: unknown };
  return type === 'error' || (typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string');
}

/** Maps a failed Vertex AI response, Anthropic-shaped or Google-shaped. */
export const mapVertexError: ErrorMapper = (failure) => {
  const mapped = isAnthropicErrorBody(failure.body) ? mapAnthropicError(failure) : mapGeminiError(failure);
  return mapped.with({ message: `vertex ${mapped.message}` });
};
