import { describe, expect, it } from 'vitest';
import { buildGeminiRequest } from './request.js';

describe('structured output in generationConfig', () => {
  const base = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

  it('json_schema: JSON MIME type and the schema as responseJsonSchema', () => {
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(buildGeminiRequest({ ...base, responseFormat: { type: 'json_schema', schema } }, 'gemini-2.5-flash').generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
  });

  it('json: the JSON MIME type alone', () => {
    expect(buildGeminiRequest({ ...base, responseFormat: { type: 'json' } }, 'gemini-2.5-flash').generationConfig).toEqual({ responseMimeType: 'application/json' });
  });
});
