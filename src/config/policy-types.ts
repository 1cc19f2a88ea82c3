/**
 * The breaker and rate-limit policies' resolved shapes. A leaf module (it imports nothing) because
 * layers below the config use them too: the provider contract and the key pool's per-key gates
 * (`src/provider-spec.ts`, `src/http/key-*.ts`), which `config/types.ts` itself builds on.
 */

/** A circuit breaker per target over a sliding time window. */
export interface BreakerPolicy {
  readonly enabled: boolean;
  /** Error rate (0–1) at which the breaker opens. */
  readonly errorRate: number;
  /** Calls needed in the window before the rate is trusted. */
  readonly minRequests: number;
  readonly windowMs: number;
  readonly openForMs: number;
  readonly halfOpenProbes: number;
}

/** Requests per second, per minute, concurrency and tokens per minute; each 0/absent = no limit. */
export interface LimitSpec {
  readonly rps?: number;
  readonly rpm?: number;
  readonly concurrency?: number;
  readonly tpm?: number;
}

/** Rate limits; absent = off. */
export interface RateLimitPolicy {
  readonly global?: LimitSpec;
  readonly perUser?: LimitSpec;
  readonly perTenant?: LimitSpec;
  /** How long a call over a limit may wait for room before failing with `rate_limit`. */
  readonly waitMs: number;
}
