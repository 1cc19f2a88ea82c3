/**
 * What a gateway client may read of an error message. The router's messages are written for the
 * operator: they quote upstream addresses (hidden by `hideUpstreamAddresses`) and, when a provider
 * refuses its key, say which setting to fix — `check the key in ANTHROPIC_API_KEY
 * (providers.anthropic.apiKey)` (src/pipeline/retry/credential-hints.ts). A client cannot fix the
 * gateway's keys, and the names of its environment variables are the operator's business, so those
 * hints are cut; the operator still finds them in logs, events and audit records.
 */
import { hideUpstreamAddresses } from './hide-upstream-addresses.js';

// `the key in VARIABLE (providers.ID.apiKey)`, `providers.ID.apiKey` or a pool's `providers.ID.apiKeys`, as credential-hints.ts writes them.
const HINT = String.raw`check (?:the key in [A-Za-z_][A-Za-z0-9_]* \(providers\.[^()\s]+\.apiKey\)|providers\.[^()\s;]+\.apiKeys?)`;
// A hint that is the only note in its brackets (` (check …)`), then one after other notes (`; check …`).
const ALONE = new RegExp(String.raw` ?\(${HINT}\)`, 'g');
const AFTER = new RegExp(String.raw`; ${HINT}`, 'g');
// Anything the patterns above did not catch (a hint placed elsewhere): the variable's name at least goes.
const LEFTOVER = new RegExp(HINT, 'g');

/** `text` without the router's credential hints (see the module's description). */
export function hideCredentialHints(text: string): string {
  if (!text.includes('check ')) return text;
  return text.replace(ALONE, '').replace(AFTER, '').replace(LEFTOVER, "check the gateway's provider credentials");
}

/** An error message as a gateway client may read it: no upstream addresses, no credential hints. */
export function clientErrorMessage(text: string): string {
  return hideCredentialHints(hideUpstreamAddresses(text));
}
