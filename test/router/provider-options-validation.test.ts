/** `providerOptions` and `parallelToolCalls` are checked before anything else: JSON only, no reserved fields. */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { applyProviderOptions } from '../../src/provider-options.js';
import { validateRequest } from '../../src/router/validate-request.js';
import type { ChatRequest } from '../../src/types.js';

const base: ChatRequest = { model: 'chat', messages: [{ role: 'user', content: 'hi' }] };

function fieldOf(request: unknown): string | undefined {
  try {
    validateRequest(request as ChatRequest);
  } catch (error) {
    if (SwitchyardError.isInstance(error) && error.category === 'invalid_request') return error.field;
    throw error;
  }
  return undefined;
}

const cyclic: Record<string, unknown> = {};
cyclic.self = cyclic;

describe('providerOptions validation', () => {
  it('accepts plain JSON values', () => {
    expect(fieldOf({ ...base, providerOptions: { openai: { seed: 7, logit_bias: { '50256': -100 }, user: 'u', store: false, extra: null, list: [1, 'a', { b: [] }] } } })).toBeUndefined();
  });

  it.each<[string, unknown, string]>([
    ['not an object', [], 'providerOptions'],
    ['an entry that is not an object', { openai: 'seed=7' }, 'providerOptions.openai'],
    ['model', { openai: { model: 'gpt-5' } }, 'providerOptions.openai.model'],
    ['messages', { anthropic: { messages: [] } }, 'providerOptions.anthropic.messages'],
    ['contents', { gemini: { contents: [] } }, 'providerOptions.gemini.contents'],
    ['stream', { openai: { stream: false } }, 'providerOptions.openai.stream'],
    ['a Date', { openai: { when: new Date(0) } }, 'providerOptions.openai.when'],
    ['a Map deep inside', { gemini: { generationConfig: { list: [new Map()] } } }, 'providerOptions.gemini.generationConfig.list[0]'],
    ['NaN', { openai: { seed: Number.NaN } }, 'providerOptions.openai.seed'],
    ['a function', { openai: { f: () => 1 } }, 'providerOptions.openai.f'],
    ['undefined', { openai: { seed: undefined } }, 'providerOptions.openai.seed'],
    ['a BigInt', { openai: { seed: 7n } }, 'providerOptions.openai.seed'],
    ['a cycle', { openai: { nested: cyclic } }, 'providerOptions.openai.nested.self'],
  ])('refuses %s, naming the field', (_name, providerOptions, field) => {
    expect(fieldOf({ ...base, providerOptions })).toBe(field);
  });

  it('refuses a parallelToolCalls that is not a boolean', () => {
    expect(fieldOf({ ...base, parallelToolCalls: 'no' })).toBe('parallelToolCalls');
    expect(fieldOf({ ...base, parallelToolCalls: false })).toBeUndefined();
  });
});

describe('applyProviderOptions', () => {
  it('merges only the serving type\'s fields; the caller\'s win; objects merge field by field', () => {
    const body = { temperature: 0.2, generationConfig: { maxOutputTokens: 100, temperature: 0.2 } };
    const options = { gemini: { temperature: 1, generationConfig: { seed: 3, temperature: 0.9 } }, openai: { seed: 1 } };
    expect(applyProviderOptions(body, options, 'gemini')).toEqual({ temperature: 1, generationConfig: { maxOutputTokens: 100, temperature: 0.9, seed: 3 } });
    expect(applyProviderOptions({ a: 1 }, options, 'anthropic')).toEqual({ a: 1 });
    expect(applyProviderOptions({ a: 1 }, undefined, 'anthropic')).toEqual({ a: 1 });
  });

  it('never changes an object the body shares with the request', () => {
    const shared = { type: 'object' };
    const body = { schema: shared };
    applyProviderOptions(body, { openai: { schema: { title: 'x' } } }, 'openai');
    expect(shared).toEqual({ type: 'object' });
    expect(body.schema).toEqual({ type: 'object', title: 'x' });
  });
});
