/**
 * What the retry stage says about a provider that refused its credentials: which setting to fix
 * (the variable the key came from, never the key), in the call's final error and, when the call
 * falls back, in an `auth-fallback` warning at most once a minute per provider.
 */
import { performance } from 'node:perf_hooks';
import { apiKeyVariable } from '../../config/api-key.js';
import type { SwitchyardConfig, TargetConfig } from '../../config/types.js';
import type { SwitchyardError } from '../../errors.js';
import type { RouterEventHub } from '../../events.js';

/** At most one `auth-fallback` warning per provider in this long (the metric counts every one). */
export const AUTH_WARNING_INTERVAL_MS = 60_000;

/** Categories that say the provider refused the credentials. */
export function isAuthFailure(error: SwitchyardError): boolean {
  return error.category === 'auth' || error.category === 'permission';
}

/** Hints about rejected credentials, made once per router. */
export interface CredentialHints {
  /**
   * `check the key in ANTHROPIC_API_KEY (providers.anthropic.apiKey)`, or `check providers.openai.apiKeys`
   * for a key pool, for a failure that refused credentials.
   */
  hintFor(failure: SwitchyardError): string | undefined;
  /** The call is about to try `next` after `failure` refused its credentials: warn, rate-limited per provider. */
  reportFallback(failure: SwitchyardError, next: TargetConfig): void;
}

/** Creates the hints of a router. */
export function createCredentialHints(config: SwitchyardConfig, events: RouterEventHub): CredentialHints {
  /** When each provider's last `auth-fallback` warning was emitted. */
  const warnedAt = new Map<string, number>();

  function keySettingOf(provider: string): string {
    // A pool's refused key has left it with its own `key-removed` warning (naming its index); the pool is what to check.
    if (config.providers[provider]?.apiKeys !== undefined) return `providers.${provider}.apiKeys`;
    const variable = apiKeyVariable(config, provider);
    return variable === undefined ? `providers.${provider}.apiKey` : `the key in ${variable} (providers.${provider}.apiKey)`;
  }

  return {
    hintFor(failure) {
      return isAuthFailure(failure) && failure.provider !== undefined ? `check ${keySettingOf(failure.provider)}` : undefined;
    },
    reportFallback(failure, next) {
      if (!events.has('warning')) return;
      const provider = failure.provider ?? 'unknown';
      const now = performance.now();
      const last = warnedAt.get(provider);
      if (last !== undefined && now - last < AUTH_WARNING_INTERVAL_MS) return;
      warnedAt.set(provider, now);
      const status = failure.status === undefined ? failure.category : `${failure.status} ${failure.category}`;
      events.emit('warning', {
        code: 'auth-fallback',
        message: `provider "${provider}" refused its credentials (${status}) for ${failure.provider ?? '?'}/${failure.model ?? '?'}; the call falls back to ${next.provider}/${next.model}: check ${keySettingOf(provider)}`,
      });
    },
  };
}
