/**
 * Per-call policy overrides (`options.policies`): the same shape as a route's `policies:`, merged
 * over the route's policies for one call. Validated like the config; a bad override is an
 * `invalid_request` naming the field. Calls without overrides pay nothing.
 */
import { mergePolicies } from '../config/resolve-config.js';
import { policiesSchema } from '../config/schema.js';
import type { Policies } from '../config/types.js';
import { invalidRequest } from '../errors.js';
import type { CallPolicies } from '../types.js';

/** The route's policies with the call's overrides applied. */
export function policiesForCall(routePolicies: Policies, overrides: CallPolicies | undefined): Policies {
  if (overrides === undefined) return routePolicies;
  const parsed = policiesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['options', 'policies', ...(issue?.path ?? [])].map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment))).join('.').replace(/\.\[/g, '[');
    throw invalidRequest(path, issue?.message ?? 'invalid policy override');
  }
  if (parsed.data.timeout?.connect !== undefined) {
    throw invalidRequest('options.policies.timeout.connect', 'a call cannot set a connect timeout: connections are pooled per provider');
  }
  return mergePolicies(routePolicies, parsed.data);
}
