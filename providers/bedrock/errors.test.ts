import { describe, expect, it } from 'vitest';
import { BEDROCK_ERROR_CATEGORIES, mapBedrockError, mapBedrockStreamException, normalizeAwsErrorType } from './errors.js';

/** A failed response as AWS sends it: the type in `x-amzn-errortype`, `{ message }` in the body. */
function failure(status: number, type: string | undefined, message: string, bodyType?: string) {
  const body = bodyType === undefined ? { message } : { __type: bodyType, message };
  return {
    status,
    headers: type === undefined ? {} : { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    bodyText: JSON.stringify(body),
    body,
    retryAfterMs: undefined,
  };
}

describe('bedrock error mapping', () => {
  // Statuses and types from the InvokeModel API reference "Errors" and the AWS common errors.
  it.each([
    [400, 'ValidationException', 'messages: field required', 'invalid_request'],
    [400, 'ValidationException', 'Input is too long for requested model.', 'context_length'],
    [403, 'AccessDeniedException', "You don't have access to the model with the specified model ID.", 'permission'],
    [403, 'UnrecognizedClientException', 'The security token included in the request is invalid.', 'auth'],
    [403, 'InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.', 'auth'],
    [403, 'ExpiredTokenException', 'The security token included in the request is expired', 'auth'],
    [404, 'ResourceNotFoundException', 'Could not resolve the foundation model from the provided model identifier.', 'not_found'],
    [408, 'ModelTimeoutException', 'Model has timed out in processing the request.', 'timeout'],
    [424, 'ModelErrorException', 'The system encountered an unexpected error during processing.', 'server'],
    [429, 'ThrottlingException', 'Too many requests, please wait before trying again.', 'rate_limit'],
    [429, 'ModelNotReadyException', 'Model is not ready for inference.', 'overloaded'],
    [400, 'ServiceQuotaExceededException', 'Your request exceeds the service quota for your account.', 'rate_limit'],
    [500, 'InternalServerException', 'The server encountered an internal error.', 'server'],
    [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.', 'overloaded'],
  ] as const)('%i %s → %s', (status, type, message, category) => {
    const error = mapBedrockError(failure(status, type, message));
    expect(error.category).toBe(category);
    expect(error.status).toBe(status);
    expect(error.providerCode).toBe(type);
    expect(error.message).toBe(`bedrock ${status} ${type}: ${message}`);
  });

  it('reads the type from the body when the header is missing (`namespace#Name`)', () => {
    const error = mapBedrockError(failure(400, undefined, 'bad', 'com.amazon.coral.validate#ValidationException'));
    expect(error.providerCode).toBe('ValidationException');
    expect(error.category).toBe('invalid_request');
  });

  it('falls back to the status for a type it does not know, and for a body that is not JSON', () => {
    expect(mapBedrockError(failure(503, 'BrandNewException', 'x')).category).toBe('overloaded');
    const html = mapBedrockError({ status: 502, headers: {}, bodyText: '<html>Bad Gateway</html>', body: undefined, retryAfterMs: 1000 });
    expect(html.category).toBe('server');
    expect(html.retryAfterMs).toBe(1000);
    expect(html.message).toBe('bedrock 502: <html>Bad Gateway</html>');
  });

  it('knows every type it lists', () => {
    for (const [type, category] of Object.entries(BEDROCK_ERROR_CATEGORIES)) expect([type, mapBedrockError(failure(400, type, 'x')).category]).toEqual([type, category]);
  });

  it('maps exceptions inside a stream by their camel-cased event names', () => {
    expect(normalizeAwsErrorType('throttlingException')).toBe('ThrottlingException');
    expect(mapBedrockStreamException('throttlingException', { message: 'slow down' }).category).toBe('rate_limit');
    expect(mapBedrockStreamException('modelStreamErrorException', { message: 'boom' }).category).toBe('server');
    expect(mapBedrockStreamException('serviceUnavailableException', {}).category).toBe('overloaded');
    expect(mapBedrockStreamException('somethingNew', {}).category).toBe('server');
    expect(mapBedrockStreamException('validationException', { message: 'bad' }).message).toBe('bedrock stream ValidationException: bad');
  });
});
