/**
 * Turns a `RateLimitPolicy` and a caller's keys into the list of limits one call must pass, and
 * words the errors a refusal produces. Shared by the in-memory and the Redis limiters.
 */
import type { LimitSpec, RateLimitPolicy } from '../../config/policy-types.js';
import { SwitchyardError } from '../../errors.js';
import type { RateLimitKeys } from './rate-limiter.js';
import { CONCURRENCY_RETRY_HINT_MS } from './rate-limiter.js';

/** Which part of the policy a limit comes from. */
export type LimitScope = 'global' | 'perUser' | 'perTenant';

/** What a limit counts. */
export type LimitKind = 'rps' | 'rpm' | 'concurrency' | 'tpm';

/** How a limit is enforced: a GCRA rate, a counted slot, or a post-paid token bucket. */
export type LimitAlgorithm = 'rate' | 'slot' | 'tokens';

/** One limit one call must pass. */
export interface LimitCheck {
  readonly scope: LimitScope;
  readonly kind: LimitKind;
  readonly algorithm: LimitAlgorithm;
  /** The configured number (calls per period, slots, or tokens per minute). */
  readonly limit: number;
  /** The period the number is counted over, ms (0 for concurrency). */
  readonly periodMs: number;
  /** The user or tenant id, for per-key limits. */
  readonly subject: string | undefined;
  /** Identifies the limit's state: scope, kind and subject (e.g. `perUser:concurrency:u1`). */
  readonly id: string;
}

/** A limit that said no, and when it will have room (`undefined` for concurrency: unknown). */
export interface Refusal {
  readonly check: LimitCheck;
  readonly retryAfterMs: number | undefined;
}

/** The result of one non-waiting try at taking room. */
export type RoomAttempt =
  | { readonly admitted: true; readonly release: (tokensUsed: number) => void }
  | { readonly admitted: false; readonly refusals: readonly Refusal[] };

interface KindShape {
  readonly kind: LimitKind;
  readonly algorithm: LimitAlgorithm;
  readonly periodMs: number;
}

const KINDS: readonly KindShape[] = [
  { kind: 'rps', algorithm: 'rate', periodMs: 1_000 },
  { kind: 'rpm', algorithm: 'rate', periodMs: 60_000 },
  { kind: 'concurrency', algorithm: 'slot', periodMs: 0 },
  { kind: 'tpm', algorithm: 'tokens', periodMs: 60_000 },
];

interface ScopedLimit extends KindShape {
  readonly scope: LimitScope;
  readonly limit: number;
}

/** A policy reduced to the limits it sets, per scope (computed once per policy object). */
interface CompiledPolicy {
  readonly global: readonly LimitCheck[];
  readonly perUser: readonly ScopedLimit[];
  readonly perTenant: readonly ScopedLimit[];
  readonly empty: boolean;
  /** The checks of recent (user, tenant) pairs, so a caller's checks and ids are built once, not per call. */
  readonly recent: Map<string, Map<string, readonly LimitCheck[]>>;
}

/** How many (user, tenant) pairs a policy remembers the checks of before starting over. */
const RECENT_SUBJECTS = 10_000;

const compiled = new WeakMap<RateLimitPolicy, CompiledPolicy>();

function scopedLimits(scope: LimitScope, spec: LimitSpec | undefined): ScopedLimit[] {
  if (spec === undefined) return [];
  const limits: ScopedLimit[] = [];
  for (const shape of KINDS) {
    const limit = spec[shape.kind];
    if (limit !== undefined && Number.isFinite(limit) && limit > 0) limits.push({ ...shape, scope, limit });
  }
  return limits;
}

function toCheck(limit: ScopedLimit, subject: string | undefined): LimitCheck {
  const id = subject === undefined ? `${limit.scope}:${limit.kind}` : `${limit.scope}:${limit.kind}:${subject}`;
  return { scope: limit.scope, kind: limit.kind, algorithm: limit.algorithm, limit: limit.limit, periodMs: limit.periodMs, subject, id };
}

function compile(policy: RateLimitPolicy): CompiledPolicy {
  let result = compiled.get(policy);
  if (result === undefined) {
    const global = scopedLimits('global', policy.global).map((limit) => toCheck(limit, undefined));
    const perUser = scopedLimits('perUser', policy.perUser);
    const perTenant = scopedLimits('perTenant', policy.perTenant);
    result = { global, perUser, perTenant, empty: global.length + perUser.length + perTenant.length === 0, recent: new Map() };
    compiled.set(policy, result);
  }
  return result;
}

/** The limits one call with these keys must pass under this policy (empty when none applies). */
export function limitChecks(keys: RateLimitKeys, policy: RateLimitPolicy): readonly LimitCheck[] {
  const plan = compile(policy);
  if (plan.empty) return plan.global;
  const hasUser = keys.user !== undefined && keys.user !== '' && plan.perUser.length > 0;
  const hasTenant = keys.tenant !== undefined && keys.tenant !== '' && plan.perTenant.length > 0;
  if (!hasUser && !hasTenant) return plan.global;
  const user = hasUser ? (keys.user) : '';
  const tenant = hasTenant ? (keys.tenant) : '';
  let byTenant = plan.recent.get(user);
  let checks = byTenant?.get(tenant);
  if (checks !== undefined) return checks;
  const built = [...plan.global];
  if (hasUser) for (const limit of plan.perUser) built.push(toCheck(limit, user));
  if (hasTenant) for (const limit of plan.perTenant) built.push(toCheck(limit, tenant));
  checks = built;
  if (byTenant === undefined) {
    if (plan.recent.size >= RECENT_SUBJECTS) plan.recent.clear();
    byTenant = new Map();
    plan.recent.set(user, byTenant);
  }
  if (byTenant.size >= RECENT_SUBJECTS) byTenant.clear();
  byTenant.set(tenant, checks);
  return checks;
}

/** Words a limit the way the config names it, e.g. `perTenant rpm limit of 30 reached for tenant t1`. */
export function describeLimit(check: LimitCheck): string {
  const owner = check.scope === 'perUser' ? ` for user ${check.subject}` : check.scope === 'perTenant' ? ` for tenant ${check.subject}` : '';
  return `${check.scope} ${check.kind} limit of ${check.limit} reached${owner}`;
}

/** When every refusing limit will have room: the latest known time, or the concurrency estimate. */
export function refusalRetryAfterMs(refusals: readonly Refusal[]): number {
  let latest = 0;
  for (const refusal of refusals) latest = Math.max(latest, refusal.retryAfterMs ?? CONCURRENCY_RETRY_HINT_MS);
  return Math.ceil(latest);
}

/** The error for a call that found no room within `policy.waitMs`. */
export function rateLimitError(refusals: readonly Refusal[], waitMs: number): SwitchyardError {
  const ordered = [...refusals].sort(
    (left, right) => (right.retryAfterMs ?? CONCURRENCY_RETRY_HINT_MS) - (left.retryAfterMs ?? CONCURRENCY_RETRY_HINT_MS),
  );
  const retryAfterMs = refusalRetryAfterMs(refusals);
  const limits = ordered.map((refusal) => describeLimit(refusal.check)).join('; ');
  const timed = refusals.every((refusal) => refusal.retryAfterMs !== undefined);
  const detail = timed
    ? `room in ${retryAfterMs} ms, beyond the ${waitMs} ms a call may wait (rateLimit.waitMs)`
    : `no slot freed within the ${waitMs} ms a call may wait (rateLimit.waitMs)`;
  return new SwitchyardError({ category: 'rate_limit', code: 'rate_limit.local', retryable: false, retryAfterMs, message: `${limits}; ${detail}` });
}

/** The error for a call whose signal fired while it waited for room. */
export function canceledWhileWaiting(signal: AbortSignal): SwitchyardError {
  return new SwitchyardError({ category: 'canceled', code: 'canceled.caller', message: 'call canceled while waiting for rate-limit room', cause: signal.reason });
}
