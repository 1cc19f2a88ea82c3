import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { compileJsonSchema, createQualitySignals, qualitySignals } from '../../src/canary/quality-signals.js';
import type { SchemaValidator } from '../../src/canary/quality-signals.js';
import { SwitchyardError } from '../../src/errors.js';
import { parseToolArguments } from '../../src/http/post-json.js';
import { validateRequest } from '../../src/router/validate-request.js';
import type { ChatRequest, ChatResponse, FinishReason, ToolCall, ToolDefinition } from '../../src/types.js';

const WEATHER: ToolDefinition = {
  name: 'get_weather',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
    required: ['city'],
  },
};

/** A schema Ajv cannot compile: `type` must be a JSON type name. */
const BROKEN: ToolDefinition = { name: 'broken', parameters: { type: 'OBJECT', required: ['q'] } };

const PERSON = { type: 'object', properties: { name: { type: 'string' }, age: { type: 'number' } }, required: ['name'] };

function request(extra: Omit<Partial<ChatRequest>, 'responseFormat'> & { responseFormat?: unknown } = {}): ChatRequest {
  return { model: 'chat', messages: [{ role: 'user', content: 'hi' }], ...extra } as ChatRequest;
}

function response(extra: { text?: string; toolCalls?: readonly ToolCall[]; finishReason?: FinishReason } = {}): ChatResponse {
  return {
    id: 'r1',
    text: extra.text ?? 'Hello.',
    toolCalls: extra.toolCalls ?? [],
    reasoning: [],
    message: { role: 'assistant', content: extra.text ?? 'Hello.' },
    finishReason: extra.finishReason ?? 'stop',
    usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    route: 'chat',
    target: { provider: 'openai', model: 'gpt' },
    attempts: [],
    latencyMs: 1,
    requestId: 'q1',
    cached: false,
  };
}

function call(name: string, args: unknown): ToolCall {
  return { id: 'call_1', name, arguments: args as Record<string, unknown> };
}

/** A compile that counts its calls, around the real one. */
function countingCompile(): { compile: (schema: Record<string, unknown>) => SchemaValidator; count: () => number } {
  let count = 0;
  return {
    compile: (schema) => {
      count++;
      return compileJsonSchema(schema);
    },
    count: () => count,
  };
}

const NONE = { lengthFinish: false, contentFilterFinish: false, emptyAnswer: false, invalidToolCall: false, structuredOutput: false, invalidOutput: false };

describe('qualitySignals: finish reasons and empty answers', () => {
  it('reports nothing for a plain text answer', () => {
    expect(qualitySignals(request(), response())).toEqual(NONE);
  });

  it.each<[FinishReason, boolean, boolean]>([
    ['stop', false, false],
    ['length', true, false],
    ['tool_calls', false, false],
    ['content_filter', false, true],
    ['other', false, false],
  ])('finishReason %s: lengthFinish %s, contentFilterFinish %s', (finishReason, lengthFinish, contentFilterFinish) => {
    const signals = qualitySignals(request(), response({ finishReason }));
    expect(signals.lengthFinish).toBe(lengthFinish);
    expect(signals.contentFilterFinish).toBe(contentFilterFinish);
  });

  it.each(['', ' ', '\n\t\r ', '\u00a0\u2003\u3000\ufeff'])('an answer of only %j with no tool calls is empty', (text) => {
    expect(qualitySignals(request(), response({ text })).emptyAnswer).toBe(true);
  });

  it.each(['.', '  x  ', '\u200b', '{}'])('an answer of %j is not empty', (text) => {
    // U+200B (zero width space) is not whitespace to `\s` or `trim`, so it counts as text too.
    expect(qualitySignals(request(), response({ text })).emptyAnswer).toBe(false);
  });

  it('an answer that only calls a tool is not empty', () => {
    const signals = qualitySignals(request({ tools: [WEATHER] }), response({ text: '', toolCalls: [call('get_weather', { city: 'Paris' })], finishReason: 'tool_calls' }));
    expect(signals).toEqual(NONE);
  });
});

describe('qualitySignals: tool calls', () => {
  const tools = [WEATHER, BROKEN];

  it('accepts calls whose arguments satisfy the named tool\'s schema', () => {
    const toolCalls = [call('get_weather', { city: 'Paris' }), call('get_weather', { city: 'Oslo', days: 3 })];
    expect(qualitySignals(request({ tools }), response({ text: '', toolCalls })).invalidToolCall).toBe(false);
  });

  it.each([
    ['a missing required property', { days: 2 }],
    ['a property of the wrong type', { city: 42 }],
    ['an integer property given a fraction', { city: 'Paris', days: 1.5 }],
    ['a property under its minimum', { city: 'Paris', days: 0 }],
  ])('flags arguments with %s', (_label, args) => {
    expect(qualitySignals(request({ tools }), response({ toolCalls: [call('get_weather', args)] })).invalidToolCall).toBe(true);
  });

  it('flags one bad call among good ones', () => {
    const toolCalls = [call('get_weather', { city: 'Paris' }), call('get_weather', {})];
    expect(qualitySignals(request({ tools }), response({ toolCalls })).invalidToolCall).toBe(true);
  });

  it('flags a call to a tool the request did not offer, and any call when no tools were offered', () => {
    expect(qualitySignals(request({ tools }), response({ toolCalls: [call('get_time', {})] })).invalidToolCall).toBe(true);
    expect(qualitySignals(request(), response({ toolCalls: [call('get_weather', { city: 'Paris' })] })).invalidToolCall).toBe(true);
  });

  it.each([
    ['unparsed JSON text', '{"city": "Par'],
    ['a JSON string', 'Paris'],
    ['an array', ['Paris']],
    ['null', null],
  ])('flags arguments that are not a parsed JSON object (%s)', (_label, args) => {
    expect(qualitySignals(request({ tools }), response({ toolCalls: [call('get_weather', args)] })).invalidToolCall).toBe(true);
  });

  it('relies on the adapters\' contract: malformed JSON arguments fail the attempt, other JSON values are wrapped', () => {
    expect(() => parseToolArguments('{"city": "Par', 'openai', 'get_weather')).toThrow(SwitchyardError);
    try {
      parseToolArguments('{"city": "Par', 'openai', 'get_weather');
    } catch (error) {
      expect((error as SwitchyardError).category).toBe('server');
    }
    expect(parseToolArguments('"Paris"', 'openai', 'get_weather')).toEqual({ value: 'Paris' });
    expect(parseToolArguments('', 'openai', 'get_weather')).toEqual({});
  });

  it('does not throw on a schema that does not compile: that tool\'s calls are not checkable, the others still are', () => {
    expect(qualitySignals(request({ tools }), response({ toolCalls: [call('broken', {})] })).invalidToolCall).toBe(false);
    const toolCalls = [call('broken', { anything: true }), call('get_weather', { city: 7 })];
    expect(qualitySignals(request({ tools }), response({ toolCalls })).invalidToolCall).toBe(true);
  });

  it.each([
    ['an unresolvable $ref', { $ref: '#/$defs/missing' }],
    ['a remote $ref', { $ref: 'https://example.com/schema.json' }],
    ['an invalid pattern', { type: 'object', properties: { q: { type: 'string', pattern: '(' } } }],
    ['an asynchronous schema', { $async: true, type: 'object' }],
  ])('treats a schema with %s as not checkable', (_label, parameters) => {
    const signals = qualitySignals(request({ tools: [{ name: 'search', parameters }] }), response({ toolCalls: [call('search', { q: 1 })] }));
    expect(signals.invalidToolCall).toBe(false);
  });

  it('ignores keywords JSON Schema does not define (strict mode off) and does not check formats', () => {
    const search: ToolDefinition = {
      name: 'search',
      parameters: {
        type: 'object',
        'x-provider-hint': 'fast',
        propertyOrdering: ['q', 'when'],
        properties: { q: { type: 'string', description: 'query', examples: ['cats'] }, when: { type: 'string', format: 'date-time' } },
        required: ['q'],
        additionalProperties: false,
      },
    };
    const ok = qualitySignals(request({ tools: [search] }), response({ toolCalls: [call('search', { q: 'cats', when: 'tomorrow' })] }));
    expect(ok.invalidToolCall).toBe(false);
    const extra = qualitySignals(request({ tools: [search] }), response({ toolCalls: [call('search', { q: 'cats', page: 2 })] }));
    expect(extra.invalidToolCall).toBe(true);
  });
});

describe('qualitySignals: structured output', () => {
  const jsonSchema = (schema: Record<string, unknown>) => request({ responseFormat: { type: 'json_schema', name: 'person', schema, strict: true } });

  it('is off without a responseFormat, or with one of an unknown type', () => {
    expect(qualitySignals(request(), response({ text: 'not json' }))).toEqual(NONE);
    expect(qualitySignals(request({ responseFormat: { type: 'xml' } }), response({ text: 'not json' }))).toEqual(NONE);
    expect(qualitySignals(request({ responseFormat: 'json' }), response({ text: 'not json' }))).toEqual(NONE);
  });

  it('type json: valid when the text parses as JSON, surrounding whitespace allowed', () => {
    const signals = qualitySignals(request({ responseFormat: { type: 'json' } }), response({ text: ' {"name": "Ada"}\n' }));
    expect(signals).toEqual({ ...NONE, structuredOutput: true });
  });

  it.each([
    ['prose', 'Here you go: {"name": "Ada"}'],
    ['a fenced block', '```json\n{"name": "Ada"}\n```'],
    ['truncated JSON', '{"name": "Ad'],
    ['nothing', ''],
  ])('type json: invalid when the text is %s', (_label, text) => {
    const signals = qualitySignals(request({ responseFormat: { type: 'json' } }), response({ text }));
    expect(signals.structuredOutput).toBe(true);
    expect(signals.invalidOutput).toBe(true);
  });

  it('type json_schema: valid when the parsed text satisfies the schema', () => {
    const signals = qualitySignals(jsonSchema(PERSON), response({ text: '{"name": "Ada", "age": 36}' }));
    expect(signals).toEqual({ ...NONE, structuredOutput: true });
  });

  it.each([
    ['misses a required property', '{"age": 36}'],
    ['has a property of the wrong type', '{"name": "Ada", "age": "36"}'],
    ['is not an object', '["Ada"]'],
    ['does not parse', '{"name": '],
  ])('type json_schema: invalid when the answer %s', (_label, text) => {
    expect(qualitySignals(jsonSchema(PERSON), response({ text })).invalidOutput).toBe(true);
  });

  it('type json_schema with a schema that does not compile: only parsing is checked, nothing throws', () => {
    expect(qualitySignals(jsonSchema({ type: 'PERSON' }), response({ text: '{"x": 1}' }))).toEqual({ ...NONE, structuredOutput: true });
    expect(qualitySignals(jsonSchema({ type: 'PERSON' }), response({ text: 'nope' })).invalidOutput).toBe(true);
  });

  it('a turn that only calls tools has not answered yet, so its empty text is not invalid output', () => {
    const signals = qualitySignals(
      request({ tools: [WEATHER], responseFormat: { type: 'json_schema', schema: PERSON } }),
      response({ text: '', toolCalls: [call('get_weather', { city: 'Paris' })], finishReason: 'tool_calls' }),
    );
    expect(signals).toEqual({ ...NONE, structuredOutput: true });
  });

  it('an answer cut at the token limit is both a length finish and invalid output', () => {
    const signals = qualitySignals(jsonSchema(PERSON), response({ text: '{"name": "Ad', finishReason: 'length' }));
    expect(signals).toEqual({ ...NONE, lengthFinish: true, structuredOutput: true, invalidOutput: true });
  });

  it('request validation passes a responseFormat through (it checks known fields and ignores others)', () => {
    expect(() => validateRequest(jsonSchema(PERSON))).not.toThrow();
    expect(() => validateRequest(request({ responseFormat: { type: 'json' } }))).not.toThrow();
  });
});

describe('qualitySignals: compiled-schema cache', () => {
  it('compiles nothing for a call without tools or structured output', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile });
    extract(request(), response());
    extract(request({ tools: [WEATHER] }), response());
    expect(counter.count()).toBe(0);
  });

  it('compiles a schema object once, however many calls use it', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile });
    for (let index = 0; index < 5; index++) {
      expect(extract(request({ tools: [WEATHER] }), response({ toolCalls: [call('get_weather', { city: 'Paris' })] })).invalidToolCall).toBe(false);
      expect(extract(request({ tools: [WEATHER] }), response({ toolCalls: [call('get_weather', {})] })).invalidToolCall).toBe(true);
    }
    expect(counter.count()).toBe(1);
  });

  it('compiles once for equal schemas rebuilt on every request (found by their JSON text)', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile });
    for (let index = 0; index < 5; index++) {
      const rebuilt = structuredClone(PERSON);
      const format = { type: 'json_schema', schema: rebuilt };
      expect(extract(request({ responseFormat: format }), response({ text: '{"name": "Ada"}' })).invalidOutput).toBe(false);
      expect(extract(request({ responseFormat: format }), response({ text: '{}' })).invalidOutput).toBe(true);
    }
    expect(counter.count()).toBe(1);
  });

  it('remembers that a schema does not compile, so it is not tried again', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile });
    for (let index = 0; index < 3; index++) {
      extract(request({ tools: [structuredClone(BROKEN)] }), response({ toolCalls: [call('broken', {})] }));
    }
    expect(counter.count()).toBe(1);
  });

  it('keeps at most schemaCacheSize schemas by JSON text, least recently used out first', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile, schemaCacheSize: 2 });
    const schemaOf = (property: string) => ({ type: 'object', required: [property] });
    const use = (property: string) => extract(request({ responseFormat: { type: 'json_schema', schema: schemaOf(property) } }), response({ text: '{}' }));
    use('a');
    use('b');
    use('a'); // a is now the most recently used
    use('c'); // evicts b
    expect(counter.count()).toBe(3);
    use('a');
    use('c');
    expect(counter.count()).toBe(3);
    use('b');
    expect(counter.count()).toBe(4);
  });

  it('still finds a reused schema object by identity after its JSON text was evicted', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile, schemaCacheSize: 1 });
    const kept = { type: 'object', required: ['kept'] };
    extract(request({ responseFormat: { type: 'json_schema', schema: kept } }), response({ text: '{}' }));
    extract(request({ responseFormat: { type: 'json_schema', schema: { type: 'object' } } }), response({ text: '{}' }));
    expect(extract(request({ responseFormat: { type: 'json_schema', schema: kept } }), response({ text: '{}' })).invalidOutput).toBe(true);
    expect(counter.count()).toBe(2);
  });

  it('with schemaCacheSize 0 caches by identity only', () => {
    const counter = countingCompile();
    const extract = createQualitySignals({ compile: counter.compile, schemaCacheSize: 0 });
    extract(request({ responseFormat: { type: 'json_schema', schema: PERSON } }), response({ text: '{}' }));
    extract(request({ responseFormat: { type: 'json_schema', schema: PERSON } }), response({ text: '{}' }));
    extract(request({ responseFormat: { type: 'json_schema', schema: structuredClone(PERSON) } }), response({ text: '{}' }));
    expect(counter.count()).toBe(2);
  });

  it('does not throw when the injected compile throws', () => {
    const extract = createQualitySignals({ compile: () => { throw new Error('boom'); } });
    expect(extract(request({ tools: [WEATHER] }), response({ toolCalls: [call('get_weather', {})] })).invalidToolCall).toBe(false);
  });

  it.each([-1, 1.5, Number.NaN])('rejects schemaCacheSize %s, naming the option', (schemaCacheSize) => {
    expect(() => createQualitySignals({ schemaCacheSize })).toThrow(/schemaCacheSize/);
  });
});

describe('compileJsonSchema', () => {
  it('reads schemas without $schema as draft 2020-12', () => {
    const isValid = compileJsonSchema({ type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }] });
    expect(isValid([1, 'a'])).toBe(true);
    expect(isValid([1, 2])).toBe(false);
    expect(() => compileJsonSchema({ type: 'array', items: [{ type: 'number' }] })).toThrow();
  });

  it('reads draft-07 schemas (by $schema) as draft-07, tuple items included', () => {
    const isValid = compileJsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'array', items: [{ type: 'number' }, { type: 'string' }] });
    expect(isValid([1, 'a'])).toBe(true);
    expect(isValid([1, 2])).toBe(false);
  });

  it('resolves local $defs and definitions', () => {
    const isValid = compileJsonSchema({ type: 'object', properties: { a: { $ref: '#/$defs/n' }, b: { $ref: '#/definitions/s' } }, $defs: { n: { type: 'number' } }, definitions: { s: { type: 'string' } } });
    expect(isValid({ a: 1, b: 'x' })).toBe(true);
    expect(isValid({ a: 'x' })).toBe(false);
  });

  it('compiles two schemas with the same $id and different bodies independently', () => {
    const first = compileJsonSchema({ $id: 'https://example.com/args', type: 'number' });
    const second = compileJsonSchema({ $id: 'https://example.com/args', type: 'string' });
    expect([first(1), first('x'), second(1), second('x')]).toEqual([true, false, false, true]);
  });

  it('accepts OpenAPI nullable', () => {
    const isValid = compileJsonSchema({ type: 'object', properties: { a: { type: 'string', nullable: true } } });
    expect(isValid({ a: null })).toBe(true);
    expect(isValid({ a: 1 })).toBe(false);
  });

  it('loads Ajv at the first compile, not when the module is imported (checked in a fresh process)', async () => {
    // Ajv is a CommonJS package: however it is loaded, its files land in the CommonJS module cache.
    const worker = `
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url).cache;
      const ajvLoaded = () => Object.keys(cache).some((path) => /[\\/]node_modules[\\/]ajv[\\/]/.test(path));
      const { compileJsonSchema } = await import(process.argv[1]);
      const atImport = ajvLoaded();
      const valid = compileJsonSchema({ type: 'integer' })(3);
      console.log(JSON.stringify({ atImport, valid, afterCompile: ajvLoaded() }));
    `;
    const module = new URL('../../src/canary/quality-signals.ts', import.meta.url).href;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', worker, module], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ atImport: false, valid: true, afterCompile: true });
  }, 30_000);
});
