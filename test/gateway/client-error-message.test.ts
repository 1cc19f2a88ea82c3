/**
 * What gateway clients read of an error: no upstream addresses, and no hint naming the gateway's
 * environment variables (the router's credential hints are for the operator).
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { anthropicError } from '../../src/gateway/ingress/anthropic/index.js';
import { clientErrorMessage, hideCredentialHints } from '../../src/gateway/ingress/client-error-message.js';
import { openAIError } from '../../src/gateway/ingress/openai/index.js';

const SUMMARY =
  'all 2 attempts failed: anthropic/claude-2.1 401 auth (anthropic 401 authentication_error: invalid x-api-key; check the key in ANTHROPIC_API_KEY (providers.anthropic.apiKey)); local/llama3 401 auth (check providers.local.apiKey)';

describe('hideCredentialHints', () => {
  it('cuts both forms of the hint, after other notes and alone in brackets', () => {
    expect(hideCredentialHints(SUMMARY)).toBe('all 2 attempts failed: anthropic/claude-2.1 401 auth (anthropic 401 authentication_error: invalid x-api-key); local/llama3 401 auth');
  });

  it('leaves messages without hints alone', () => {
    const text = 'openai/gpt-4 429 rate_limit (please check your plan)';
    expect(hideCredentialHints(text)).toBe(text);
  });

  it('replaces a hint found anywhere else, so no variable name is left', () => {
    expect(hideCredentialHints('refused: check the key in OPENAI_API_KEY (providers.openai.apiKey) first')).toBe("refused: check the gateway's provider credentials first");
  });
});

describe('error answers of both ingresses', () => {
  const error = new SwitchyardError({ category: 'auth', status: 401, provider: 'anthropic', message: `${SUMMARY} at http://10.0.0.7:8080/v1` });

  it('carry neither the variable, the setting nor the address', () => {
    for (const message of [openAIError(error).body.error.message, anthropicError(error).body.error.message, clientErrorMessage(error.message)]) {
      expect(message).not.toMatch(/ANTHROPIC_API_KEY|apiKey|10\.0\.0\.7/);
      expect(message).toContain('invalid x-api-key');
    }
  });
});
