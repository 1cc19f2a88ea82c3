/**
 * The client's address: the socket's peer, or, behind `trustedProxies` proxies (Nginx), the
 * entry of `X-Forwarded-For` that many hops back from the right. Entries further left were
 * written by the client itself and are never trusted.
 */
import type { IncomingMessage } from 'node:http';

/** The address the client called from, as the trusted proxies saw it. */
export function clientAddress(request: IncomingMessage, trustedProxies: number): string {
  const peer = normalizeAddress(request.socket.remoteAddress ?? '');
  if (trustedProxies === 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  // The last proxy appended the address it saw; `trustedProxies` proxies appended one each.
  const index = forwarded.length - trustedProxies;
  const entry = index >= 0 ? forwarded[index] : forwarded[0];
  return entry === undefined ? peer : normalizeAddress(entry);
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
