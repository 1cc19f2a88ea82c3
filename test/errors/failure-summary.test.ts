/**
 * The message of a failed call names each target tried, in order, by provider/model; retries of
 * one target that failed the same way are listed once with a count.
 */
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { summarizeFailures, type NotedFailure } from '../../src/router/failure-summary.js';

const overloaded = new SwitchyardError({ category: 'overloaded', status: 529, message: 'HTTP 529 server_error: overloaded', provider: 'openai' });
const refused = new SwitchyardError({ category: 'network', code: 'network.refused', message: 'connect ECONNREFUSED 127.0.0.1:1' });
const rejected = new SwitchyardError({ category: 'auth', status: 401, message: 'invalid x-api-key', provider: 'anthropic' });

const noted = (key: string, error: SwitchyardError): NotedFailure => ({ key, error });

describe('summarizeFailures of repeated failures', () => {
  it('lists a target that failed the same way in a row once, with a count, in the order tried', () => {
    const message = summarizeFailures(
      [noted('anthropic/claude-2.1', rejected), noted('openai/gpt-4o', overloaded), noted('openai/gpt-4o', overloaded), noted('openai/gpt-4o', overloaded), noted('down/m', refused)],
      true,
    );
    expect(message).toBe(
      'all 5 attempts failed: anthropic/claude-2.1 401 auth (invalid x-api-key); openai/gpt-4o 529 overloaded (HTTP 529 server_error: overloaded) ×3; down/m network (connect ECONNREFUSED 127.0.0.1:1)',
    );
  });

  it('does not merge the same failure at different targets, nor repeats that are not in a row', () => {
    const message = summarizeFailures([noted('a/m', overloaded), noted('b/m', overloaded), noted('a/m', overloaded)], true);
    expect(message).toBe('all 3 attempts failed: a/m 529 overloaded (HTTP 529 server_error: overloaded); b/m 529 overloaded (HTTP 529 server_error: overloaded); a/m 529 overloaded (HTTP 529 server_error: overloaded)');
  });

  it('counts every failure past the listed entries, repeats included', () => {
    const failures = [...Array.from({ length: 8 }, (_, index) => noted(`p${index}/m`, overloaded)), noted('late/m', refused), noted('late/m', refused), noted('last/m', refused)];
    const message = summarizeFailures(failures, true);
    expect(message).toContain('p7/m 529 overloaded');
    expect(message).not.toContain('late/m');
    expect(message.endsWith('; … and 3 more')).toBe(true);
  });
});
