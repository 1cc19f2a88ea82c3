/**
 * Circuit breakers across reloads: one breaker registry per provider *settings*, so a target whose
 * provider did not change keeps its breakers (an open breaker stays open), and a provider whose
 * settings changed (its base URL, key, pool...) starts with fresh ones. With Redis, a registry's
 * keys are prefixed with its settings' digest: processes running the same provider settings share
 * breakers, and a changed provider never inherits the old settings' state.
 */
import type { SwitchyardConfig } from '../config/types.js';
import type { BreakerGate } from '../pipeline/breaker/breaker-stage.js';
import type { BreakerRegistry } from '../pipeline/breaker/types.js';
import { settingsHash } from './reload-identity.js';
import { KeyedShares, type Holdings } from './reload-shares.js';

/** Digits of the settings digest that name a registry (`namespace`). */
const NAMESPACE_LENGTH = 16;

/** The breaker registries of one router, shared by its generations. */
export interface BreakerBank {
  /** A generation's breakers: each target's breaker in the registry of its provider's settings. */
  gateFor(config: SwitchyardConfig, holdings: Holdings): BreakerGate;
  /** Closes every registry. */
  close(): Promise<void>;
}

/**
 * Creates the bank; `createRegistry(namespace)` makes the registry of one provider's settings
 * (`namespace` is a hex digest of them).
 */
export function createBreakerBank(createRegistry: (namespace: string) => BreakerRegistry): BreakerBank {
  const registries = new KeyedShares<BreakerRegistry>((registry) => registry.close());
  /** For a key whose provider the config does not have (no call reaches one: routes are checked). */
  let stray: BreakerRegistry | undefined;
  const strayRegistry = (): BreakerRegistry => (stray ??= createRegistry('stray'));

  return {
    gateFor(config, holdings) {
      const byProvider = new Map<string, BreakerRegistry>();
      for (const provider of Object.values(config.providers)) {
        const namespace = settingsHash(provider).slice(0, NAMESPACE_LENGTH);
        byProvider.set(provider.id, holdings.take(registries, namespace, () => createRegistry(namespace)));
      }
      // A key is `provider/model`, and provider ids contain no "/".
      const registryOf = (key: string): BreakerRegistry => byProvider.get(key.slice(0, key.indexOf('/'))) ?? strayRegistry();
      return {
        admit: (key, policy) => registryOf(key).admit(key, policy),
        record: (key, policy, outcome, probe) => registryOf(key).record(key, policy, outcome, probe),
      };
    },
    async close() {
      await registries.releaseAll();
      await stray?.close();
    },
  };
}
