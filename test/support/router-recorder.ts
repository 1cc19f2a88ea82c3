/**
 * What a router told the outside world through its events, kept as it came, for tests that search
 * it for values that must never appear there (provider keys).
 */
import type { RouterEvents } from '../../src/events.js';
import type { Router } from '../../src/router/router-api.js';

/** The payloads of a router's `warning`, `provider-key`, `call-end` and `attempt` events, by name, and all of them as text. */
export function recordRouterEvents(router: Router): { events: Record<string, unknown[]>; text: () => string } {
  const events: Record<string, unknown[]> = { warning: [], 'provider-key': [], 'call-end': [], attempt: [] };
  for (const name of Object.keys(events) as (keyof RouterEvents)[]) router.on(name, (payload) => events[name]?.push(payload));
  return { events, text: () => JSON.stringify(events) };
}
