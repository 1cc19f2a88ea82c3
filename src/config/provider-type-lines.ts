/**
 * Where each provider's `type:` was written (its YAML line), remembered per resolved provider, so
 * that `createRouter` can point at the line of a custom type no adapter factory was registered
 * for: that is only known when the router is created, long after the file was read.
 */
import type { Locator } from './yaml-locator.js';

const typeLines = new WeakMap<object, number>();

/** Remembers the `type:` line of each provider of a resolved config's `providers`. */
export function rememberProviderTypeLines(providers: Readonly<Record<string, object>>, locate: Locator | undefined): void {
  if (locate === undefined) return;
  for (const [id, provider] of Object.entries(providers)) {
    const line = locate(['providers', id, 'type']);
    if (line !== undefined) typeLines.set(provider, line);
  }
}

/** The YAML line of a resolved provider's `type`, when its config was loaded from YAML; undefined otherwise. */
export function providerTypeLine(provider: object): number | undefined {
  return typeLines.get(provider);
}
