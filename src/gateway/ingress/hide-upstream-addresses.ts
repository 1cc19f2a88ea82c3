/**
 * Error messages the router builds can quote an upstream's URL or socket address (a provider's
 * base URL in a network error, `connect ECONNREFUSED 10.0.0.5:443`). A gateway's clients must not
 * learn the internal addresses behind it, so every ingress passes its error messages through here.
 */

/** What an address is replaced with. */
export const HIDDEN_ADDRESS = '<upstream>';

// An http(s) URL up to whitespace, quotes or brackets, without the sentence's final punctuation.
const URL_PATTERN = /\bhttps?:\/\/[^\s"'<>()[\]{}]*[^\s"'<>()[\]{}.,;:!?]/gi;
// An IPv4 address, with its port when it has one.
const IPV4_PATTERN = /\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b/g;
// A bracketed IPv6 address with a port, as Node prints it (`[::1]:8080`).
const IPV6_PATTERN = /\[[0-9a-f]*:[0-9a-f:.]*\](?::\d{1,5})?/gi;

/** `text` with every http(s) URL and IP address (with its port) replaced by `<upstream>`. */
export function hideUpstreamAddresses(text: string): string {
  return text.replace(URL_PATTERN, HIDDEN_ADDRESS).replace(IPV6_PATTERN, HIDDEN_ADDRESS).replace(IPV4_PATTERN, HIDDEN_ADDRESS);
}
