/**
 * Reasoning in the simulator: what a request asked for, the reasoning an answer carries, and the
 * signatures the simulated Anthropic API puts on its thinking blocks. A signature is an HMAC of the
 * thinking text under a key made when the process starts, so a block sent back changed (or made up)
 * fails verification, as Anthropic's does.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { countWords } from './formats/wire-helpers.js';
import type { SimAnswer, SimParsedRequest, SimReasoningRequest } from './wire-format.js';

export type { SimReasoningRequest };

const SIGNING_KEY = randomBytes(32);

/** The signature the simulator issues for a thinking text. */
export function signThinking(text: string): string {
  return createHmac('sha256', SIGNING_KEY).update(text).digest('base64');
}

/** Whether `signature` is the one the simulator issued for `text`. */
export function thinkingSignatureValid(text: string, signature: unknown): boolean {
  if (typeof signature !== 'string') return false;
  const expected = Buffer.from(signThinking(text));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The answer with reasoning when the request asked for some and the answer has none yet: a short
 * thought about the last user message, counted as output tokens and as reasoning tokens.
 */
export function withReasoning(answer: SimAnswer, request: SimParsedRequest): SimAnswer {
  if (request.reasoning === undefined || answer.reasoning !== undefined) return answer;
  const reasoning = `Thinking about "${request.lastUserText.slice(0, 80)}" before answering.`;
  const reasoningTokens = countWords(reasoning);
  return { ...answer, reasoning, usage: { ...answer.usage, outputTokens: answer.usage.outputTokens + reasoningTokens, reasoningTokens } };
}

/** Cuts reasoning into the pieces a stream sends (a few words each). */
export function reasoningChunks(text: string): string[] {
  const words = text.split(/(?<=\s)/);
  const chunks: string[] = [];
  for (let index = 0; index < words.length; index += 3) chunks.push(words.slice(index, index + 3).join(''));
  return chunks;
}
