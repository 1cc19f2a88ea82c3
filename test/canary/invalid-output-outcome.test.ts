/**
 * An answer that failed with `invalid_output` (not the JSON the request asked for) counts for the
 * canary's `invalidOutputRate` guard as an answer with invalid structured output, not as an error.
 */
import { describe, expect, it } from 'vitest';
import { armOutcome, type CallRecord } from '../../src/canary/arm-of-record.js';
import { ArmStats } from '../../src/canary/arm-stats.js';
import { SwitchyardError } from '../../src/errors.js';
import type { ChatRequest, Target } from '../../src/types.js';

const CANDIDATE: Target = { provider: 'anthropic', model: 'claude-2.1' };
const REQUEST: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'hi' }], responseFormat: { type: 'json' } };
const invalid = new SwitchyardError({ category: 'invalid_output', code: 'invalid_output.json', message: 'the answer is not valid JSON (3 characters)', provider: 'anthropic', model: 'claude-2.1' });
const call = (overrides: Partial<CallRecord>): CallRecord => ({ mode: 'chat', request: REQUEST, latencyMs: 300, attempts: [], notes: {}, ...overrides });

describe('invalid_output in the arm of record', () => {
  it('is an answer of the arm with invalid structured output', () => {
    const outcome = armOutcome(call({ attempts: [{ target: CANDIDATE, route: 'claude', outcome: 'invalid_output', ms: 90 }], error: invalid }), CANDIDATE, {});
    expect(outcome).toMatchObject({ failed: false, callerFault: false, latencyMs: 90, quality: { structuredOutput: true, invalidOutput: true } });
    const stats = new ArmStats();
    if (outcome !== undefined) stats.record(outcome);
    expect(stats.errors).toBe(0);
    expect(stats.quality).toMatchObject({ structuredAnswers: 1, invalidOutputs: 1 });
  });
});
