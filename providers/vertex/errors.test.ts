import { describe, expect, it } from 'vitest';
import { mapVertexError } from './errors.js';

function failure(status: number, body: unknown) {
  return { status, headers: {}, bodyText: JSON.stringify(body), body, retryAfterMs: undefined };
}

describe('vertex error mapping', () => {
  it('maps an Anthropic model\'s own error (Anthropic body) like Anthropic\'s', () => {
    const error = mapVertexError(failure(400, { type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }));
    expect([error.category, error.providerCode]).toEqual(['context_length', 'invalid_request_error']);
    expect(error.message).toBe('vertex anthropic 400 invalid_request_error: prompt is too long: 210000 tokens > 200000 maximum');
    expect(mapVertexError(failure(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).category).toBe('overloaded');
  });

  it('maps the platform\'s errors (Google body) like Gemini\'s, whatever the publisher', () => {
    const quota = mapVertexError(
      failure(429, { error: { code: 429, message: 'Quota exceeded for aiplatform.googleapis.com/online_prediction_requests_per_base_model with base model: anthropic-claude-sonnet-4-5.', status: 'RESOURCE_EXHAUSTED' } }),
    );
    expect([quota.category, quota.providerCode]).toEqual(['rate_limit', 'RESOURCE_EXHAUSTED']);
    const denied = mapVertexError(failure(403, { error: { code: 403, message: "Permission 'aiplatform.endpoints.predict' denied", status: 'PERMISSION_DENIED' } }));
    expect(denied.category).toBe('permission');
    expect(mapVertexError(failure(401, { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } })).category).toBe('auth');
  });
});
