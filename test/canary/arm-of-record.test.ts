import { describe, expect, it } from 'vitest';
import { armOutcome, type CallRecord } from '../../src/canary/arm-of-record.js';
import { costOf } from '../../src/pricing.js';
import { SwitchyardError } from '../../src/errors.js';
import type { Attempt, ChatRequest, ChatResponse, FinishReason, Target } from '../../src/types.js';

const BASELINE: Target = { provider: 'anthropic', model: 'claude-2.0' };
const CANDIDATE: Target = { provider: 'anthropic', model: 'claude-2.1' };
const PRICING = { 'anthropic/claude-2.0': { input: 8, output: 24 }, 'claude-2.1': { input: 3, output: 15, cachedInput: 0.3 } };

const attempt = (target: Target, outcome: Attempt['outcome'], ms = 100): Attempt => ({ target, route: 'claude', outcome, ms, ...(outcome === 'ok' ? { status: 200 } : {}) });
const REQUEST: ChatRequest = { model: 'claude', messages: [{ role: 'user', content: 'hi' }] };
const response = (target: Target, finishReason: FinishReason = 'stop', text = 'hi'): ChatResponse => ({
  id: 'r',
  text,
  toolCalls: [],
  reasoning: [],
  message: { role: 'assistant', content: text },
  finishReason,
  usage: { inputTokens: 1_000, outputTokens: 500, totalTokens: 1_500 },
  route: 'claude',
  target,
  attempts: [],
  latencyMs: 300,
  requestId: 'q',
  cached: false,
});
const call = (overrides: Partial<CallRecord>): CallRecord => ({ mode: 'chat', request: REQUEST, latencyMs: 300, attempts: [], notes: {}, ...overrides });
const canceled = new SwitchyardError({ category: 'canceled', message: 'gone' });

describe('arm of record', () => {
  it('a successful first try counts for the arm with its own time, tokens and cost', () => {
    const outcome = armOutcome(call({ attempts: [attempt(CANDIDATE, 'ok', 120)], response: response(CANDIDATE) }), CANDIDATE, PRICING);
    expect(outcome).toMatchObject({ failed: false, rescued: false, mixed: false, latencyMs: 120, callerFault: false });
    expect(outcome?.usage?.inputTokens).toBe(1_000);
    expect(outcome?.costUsd).toBeCloseTo((1_000 * 3 + 500 * 15) / 1e6, 12);
  });

  it('a candidate failure rescued by a retry on the baseline still counts against the candidate, and is mixed', () => {
    const outcome = armOutcome(call({ attempts: [attempt(CANDIDATE, 'server'), attempt(BASELINE, 'ok')], response: response(BASELINE) }), CANDIDATE, PRICING);
    expect(outcome).toMatchObject({ failed: true, category: 'server', rescued: true, mixed: true });
    expect(outcome?.usage).toBeUndefined();
    expect(outcome?.latencyMs).toBeUndefined();
  });

  it('a candidate skipped by its open breaker is a circuit_open failure', () => {
    const outcome = armOutcome(call({ attempts: [attempt(BASELINE, 'ok')], response: response(BASELINE), notes: { breakerSkips: ['anthropic/claude-2.1'] } }), CANDIDATE, PRICING);
    expect(outcome).toMatchObject({ failed: true, category: 'circuit_open', rescued: true, mixed: true });
  });

  it('a stream that fails after its first output is a failure of the arm', () => {
    const error = new SwitchyardError({ category: 'network', message: 'cut' });
    const outcome = armOutcome(call({ mode: 'stream', attempts: [attempt(CANDIDATE, 'ok', 40)], error }), CANDIDATE, PRICING);
    expect(outcome).toMatchObject({ failed: true, category: 'network', rescued: false });
  });

  it('a stream counts its whole duration (less rate-limit waits) and its time to first token', () => {
    const outcome = armOutcome(
      call({ mode: 'stream', latencyMs: 900, timeToFirstTokenMs: 150, attempts: [attempt(BASELINE, 'ok', 150)], response: response(BASELINE), notes: { rateLimitWaitMs: 100 } }),
      BASELINE,
      PRICING,
    );
    expect(outcome).toMatchObject({ failed: false, latencyMs: 800, timeToFirstTokenMs: 150 });
  });

  it('a cancellation while the arm was working is a cancelled outcome of the arm, with the time it ran', () => {
    const chat = armOutcome(call({ latencyMs: 2_500, attempts: [attempt(CANDIDATE, 'canceled', 2_400)], error: canceled }), CANDIDATE, PRICING);
    expect(chat).toEqual({ failed: false, callerFault: false, rescued: false, mixed: false, cancelled: true, latencyMs: 2_400 });
    // A stream: its whole duration, less the rate-limit wait.
    const stream = armOutcome(call({ mode: 'stream', latencyMs: 5_000, attempts: [attempt(CANDIDATE, 'canceled', 300)], error: canceled, notes: { rateLimitWaitMs: 1_000 } }), CANDIDATE, PRICING);
    expect(stream).toMatchObject({ cancelled: true, failed: false, latencyMs: 4_000 });
    expect(stream?.stalled).toBeUndefined();
  });

  it('a cancellation before the arm was asked (during a rate-limit wait) tells nothing', () => {
    expect(armOutcome(call({ attempts: [], error: canceled, notes: { rateLimitWaitMs: 800 } }), CANDIDATE, PRICING)).toBeUndefined();
  });

  it('caller faults are kept apart', () => {
    const fault = armOutcome(call({ attempts: [attempt(CANDIDATE, 'context_length')], error: new SwitchyardError({ category: 'context_length', message: 'long' }) }), CANDIDATE, PRICING);
    expect(fault).toMatchObject({ failed: true, callerFault: true, category: 'context_length' });
  });

  it('a timeout of the arm is a failure that carries the time it ran; other failures carry none', () => {
    const timeout = armOutcome(call({ latencyMs: 30_100, attempts: [attempt(CANDIDATE, 'timeout', 30_000)], error: new SwitchyardError({ category: 'timeout', message: 'slow' }) }), CANDIDATE, PRICING);
    expect(timeout).toMatchObject({ failed: true, category: 'timeout', callerFault: false, latencyMs: 30_000 });
    const server = armOutcome(call({ attempts: [attempt(CANDIDATE, 'server', 50)], error: new SwitchyardError({ category: 'server', message: '500' }) }), CANDIDATE, PRICING);
    expect(server?.latencyMs).toBeUndefined();
  });

  it("an answer of the arm carries its quality signals; a rescued call's answer (another target's) does not", () => {
    const cut = armOutcome(call({ attempts: [attempt(CANDIDATE, 'ok')], response: response(CANDIDATE, 'length') }), CANDIDATE, PRICING);
    expect(cut?.quality).toMatchObject({ lengthFinish: true, contentFilterFinish: false, emptyAnswer: false, structuredOutput: false, invalidOutput: false });
    const empty = armOutcome(call({ attempts: [attempt(CANDIDATE, 'ok')], response: response(CANDIDATE, 'stop', '  ') }), CANDIDATE, PRICING);
    expect(empty?.quality?.emptyAnswer).toBe(true);
    const rescued = armOutcome(call({ attempts: [attempt(CANDIDATE, 'server'), attempt(BASELINE, 'ok')], response: response(BASELINE, 'length') }), CANDIDATE, PRICING);
    expect(rescued?.quality).toBeUndefined();
  });

  it('a call the arm never saw and that succeeded elsewhere is not attributed', () => {
    expect(armOutcome(call({ attempts: [attempt(BASELINE, 'ok')], response: response(BASELINE) }), CANDIDATE, PRICING)).toBeUndefined();
  });

  it('prices cached input tokens at the cached price and unpriced targets as undefined', () => {
    const usage = { inputTokens: 1_000, outputTokens: 0, totalTokens: 1_000, cachedInputTokens: 400 };
    expect(costOf(PRICING, CANDIDATE, usage)).toBeCloseTo((600 * 3 + 400 * 0.3) / 1e6, 12);
    expect(costOf(PRICING, BASELINE, usage)).toBeCloseTo((1_000 * 8) / 1e6, 12);
    expect(costOf(PRICING, { provider: 'x', model: 'y' }, usage)).toBeUndefined();
  });
});
