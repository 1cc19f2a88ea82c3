import { describe, expect, it, vi } from 'vitest';
import { createMemoryBreakerRegistry } from '../../../src/pipeline/breaker/memory-registry.js';
import type { BreakerRegistry, BreakerStateChange } from '../../../src/pipeline/breaker/types.js';
import type { BreakerPolicy } from '../../../src/config/types.js';
import { breakerPolicy, manualClock } from './policy.js';

const KEY = 'anthropic/claude-2.1';

function recordMany(registry: BreakerRegistry, policy: BreakerPolicy, outcome: 'success' | 'failure', count: number, key = KEY): void {
  for (let index = 0; index < count; index += 1) registry.record(key, policy, outcome, false);
}

function setup(overrides: Partial<BreakerPolicy> = {}) {
  const clock = manualClock();
  const registry = createMemoryBreakerRegistry({ now: clock.now });
  const changes: BreakerStateChange[] = [];
  registry.onStateChange((change) => changes.push(change));
  return { clock, registry, changes, policy: breakerPolicy(overrides) };
}

/** Opens the breaker with 10 failures and moves past the open period. */
function toHalfOpen(context: ReturnType<typeof setup>): void {
  recordMany(context.registry, context.policy, 'failure', 10);
  context.clock.advance(context.policy.openForMs);
}

describe('memory breaker: opening', () => {
  it('stays closed under minRequests even at 100% errors', async () => {
    const { registry, policy } = setup();
    recordMany(registry, policy, 'failure', 9);
    expect(registry.state(KEY)).toBe('closed');
    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: false });
  });

  it.each([
    { successes: 5, failures: 5, expected: 'open' },
    { successes: 6, failures: 4, expected: 'closed' },
    { successes: 0, failures: 10, expected: 'open' },
    { successes: 4, failures: 5, expected: 'closed' },
  ])('with errorRate 0.5 and minRequests 10: $successes successes, $failures failures → $expected', ({ successes, failures, expected }) => {
    const { registry, policy } = setup();
    recordMany(registry, policy, 'success', successes);
    recordMany(registry, policy, 'failure', failures);
    expect(registry.state(KEY)).toBe(expected);
  });

  it('opens at exactly errorRate once minRequests is reached, on a success too', () => {
    const { registry, policy } = setup({ errorRate: 0.3 });
    recordMany(registry, policy, 'failure', 3);
    recordMany(registry, policy, 'success', 6);
    expect(registry.state(KEY)).toBe('closed');
    registry.record(KEY, policy, 'success', false); // 3 of 10 = 0.3
    expect(registry.state(KEY)).toBe('open');
  });

  it('never opens without a failure, even with errorRate 0', () => {
    const { registry, policy } = setup({ errorRate: 0 });
    recordMany(registry, policy, 'success', 50);
    expect(registry.state(KEY)).toBe('closed');
  });

  it('lets old failures slide out of the window', () => {
    const { clock, registry, policy } = setup();
    recordMany(registry, policy, 'failure', 4);
    clock.advance(policy.windowMs);
    recordMany(registry, policy, 'success', 5);
    recordMany(registry, policy, 'failure', 1);
    // 6 calls in the window (the first 4 slid out): below minRequests.
    expect(registry.state(KEY)).toBe('closed');
    expect(registry.toJSON()[KEY]).toEqual({ state: 'closed', calls: 6, failures: 1 });
  });

  it('keeps failures that are still inside the window', () => {
    const { clock, registry, policy } = setup();
    recordMany(registry, policy, 'failure', 4);
    clock.advance(policy.windowMs - 2_000);
    recordMany(registry, policy, 'success', 5);
    recordMany(registry, policy, 'failure', 1);
    expect(registry.state(KEY)).toBe('open');
  });

  it('keeps independent keys independent', async () => {
    const { registry, policy } = setup();
    recordMany(registry, policy, 'failure', 10, 'openai/gpt-4o');
    recordMany(registry, policy, 'success', 10, KEY);
    expect(registry.state('openai/gpt-4o')).toBe('open');
    expect(registry.state(KEY)).toBe('closed');
    await expect(registry.admit(KEY, policy)).resolves.toEqual({ allowed: true, probe: false });
    expect(registry.state('google/gemini-2.0-flash')).toBe('closed');
  });

  it('never opens a disabled breaker', async () => {
    const { registry } = setup();
    const disabled = breakerPolicy({ enabled: false });
    recordMany(registry, disabled, 'failure', 100);
    expect(registry.state(KEY)).toBe('closed');
    await expect(registry.admit(KEY, disabled)).resolves.toEqual({ allowed: true, probe: false });
  });
});

describe('memory breaker: open and half-open', () => {
  it('rejects while open with retryAfterMs equal to the remaining open time', async () => {
    const context = setup();
    recordMany(context.registry, context.policy, 'failure', 10);
    context.clock.advance(1_200);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: false, retryAfterMs: 3_800 });
    context.clock.advance(3_799);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: false, retryAfterMs: 1 });
  });

  it('ignores outcomes recorded while open (calls admitted before it opened)', () => {
    const context = setup();
    recordMany(context.registry, context.policy, 'failure', 10);
    recordMany(context.registry, context.policy, 'success', 20);
    expect(context.registry.state(KEY)).toBe('open');
  });

  it('admits exactly halfOpenProbes probes, then refuses', async () => {
    const context = setup({ halfOpenProbes: 2 });
    toHalfOpen(context);
    expect(context.registry.state(KEY)).toBe('half_open');
    const admissions = await Promise.all([1, 2, 3, 4].map(() => context.registry.admit(KEY, context.policy)));
    expect(admissions.filter((admission) => admission.allowed && admission.probe)).toHaveLength(2);
    expect(admissions.slice(2)).toEqual([
      { allowed: false, retryAfterMs: context.policy.openForMs },
      { allowed: false, retryAfterMs: context.policy.openForMs },
    ]);
  });

  it('closes when every probe succeeds, with the window reset', async () => {
    const context = setup({ halfOpenProbes: 2 });
    toHalfOpen(context);
    await context.registry.admit(KEY, context.policy);
    await context.registry.admit(KEY, context.policy);
    context.registry.record(KEY, context.policy, 'success', true);
    expect(context.registry.state(KEY)).toBe('half_open');
    context.registry.record(KEY, context.policy, 'success', true);
    expect(context.registry.state(KEY)).toBe('closed');
    expect(context.registry.toJSON()[KEY]).toEqual({ state: 'closed', calls: 0, failures: 0 });
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: true, probe: false });
  });

  it('reopens for openForMs when a probe fails', async () => {
    const context = setup({ halfOpenProbes: 2 });
    toHalfOpen(context);
    await context.registry.admit(KEY, context.policy);
    context.registry.record(KEY, context.policy, 'success', true);
    await context.registry.admit(KEY, context.policy);
    context.registry.record(KEY, context.policy, 'failure', true);
    expect(context.registry.state(KEY)).toBe('open');
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: false, retryAfterMs: context.policy.openForMs });
  });

  it('does not let non-probe outcomes decide the half-open state', async () => {
    const context = setup({ halfOpenProbes: 1 });
    toHalfOpen(context);
    recordMany(context.registry, context.policy, 'failure', 5);
    recordMany(context.registry, context.policy, 'success', 5);
    expect(context.registry.state(KEY)).toBe('half_open');
  });

  it('frees the slot of a probe whose outcome never comes after one more open period', async () => {
    const context = setup({ halfOpenProbes: 1 });
    toHalfOpen(context);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: true, probe: true });
    context.clock.advance(context.policy.openForMs - 1);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: false, retryAfterMs: 1 });
    context.clock.advance(1);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: true, probe: true });
  });

  it('treats halfOpenProbes below 1 as one probe', async () => {
    const context = setup({ halfOpenProbes: 0 });
    toHalfOpen(context);
    await expect(context.registry.admit(KEY, context.policy)).resolves.toEqual({ allowed: true, probe: true });
    context.registry.record(KEY, context.policy, 'success', true);
    expect(context.registry.state(KEY)).toBe('closed');
  });
});

describe('memory breaker: events and snapshot', () => {
  it('fires state changes in order, with the opening rate and calls', async () => {
    const context = setup({ halfOpenProbes: 1 });
    const start = context.clock.now();
    recordMany(context.registry, context.policy, 'success', 2);
    recordMany(context.registry, context.policy, 'failure', 8);
    context.clock.advance(5_000);
    await context.registry.admit(KEY, context.policy);
    context.registry.record(KEY, context.policy, 'failure', true);
    context.clock.advance(5_000);
    await context.registry.admit(KEY, context.policy);
    context.registry.record(KEY, context.policy, 'success', true);
    expect(context.changes).toEqual([
      { key: KEY, from: 'closed', to: 'open', at: start, failureRate: 0.8, calls: 10 },
      { key: KEY, from: 'open', to: 'half_open', at: start + 5_000 },
      { key: KEY, from: 'half_open', to: 'open', at: start + 5_000 },
      { key: KEY, from: 'open', to: 'half_open', at: start + 10_000 },
      { key: KEY, from: 'half_open', to: 'closed', at: start + 10_000 },
    ]);
  });

  it('stops calling a listener once unsubscribed, and survives a throwing listener', () => {
    const context = setup();
    const seen: string[] = [];
    const unsubscribe = context.registry.onStateChange((change) => seen.push(change.to));
    context.registry.onStateChange(() => {
      throw new Error('metrics hook broke');
    });
    const warning = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    unsubscribe();
    recordMany(context.registry, context.policy, 'failure', 10);
    expect(seen).toEqual([]);
    expect(context.changes.map((change) => change.to)).toEqual(['open']);
    expect(warning).toHaveBeenCalledWith(expect.stringContaining('metrics hook broke'), 'SwitchyardWarning');
    warning.mockRestore();
  });

  it('snapshots every breaker as plain JSON', () => {
    const context = setup();
    recordMany(context.registry, context.policy, 'failure', 10);
    recordMany(context.registry, context.policy, 'success', 3, 'openai/gpt-4o');
    const snapshot = JSON.parse(JSON.stringify(context.registry)) as unknown;
    expect(snapshot).toEqual({
      [KEY]: { state: 'open', calls: 10, failures: 10, openUntil: context.clock.now() + 5_000 },
      'openai/gpt-4o': { state: 'closed', calls: 3, failures: 0 },
    });
  });
});
