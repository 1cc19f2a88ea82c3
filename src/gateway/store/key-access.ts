/**
 * Whether a key record admits a call: enabled, not expired, the route allowed, the client's
 * address in its subnets. Pure functions of the record, for the gateway's auth step.
 */
import { isAddressInSubnets } from './subnets.js';
import type { KeyRecord } from './types.js';

/** Why a key does not admit a call. */
export type KeyAccessDenial = 'disabled' | 'expired' | 'route_not_allowed' | 'address_not_allowed';

/** What is checked for one call. */
export interface KeyAccessRequest {
  /** Epoch milliseconds. */
  readonly now: number;
  /** The route (or `provider/model`) called; unchecked when absent. */
  readonly route?: string;
  /** The client's address; unchecked when absent. */
  readonly clientAddress?: string;
}

/** Whether the key works at all at `now` (enabled and not expired); the denial otherwise. */
export function keyUsability(record: KeyRecord, now: number): 'disabled' | 'expired' | undefined {
  if (!record.enabled) return 'disabled';
  if (record.expiresAt !== undefined && record.expiresAt <= now) return 'expired';
  return undefined;
}

/** Whether the key may call `route` (an empty list allows every route). */
export function isRouteAllowed(record: KeyRecord, route: string): boolean {
  return record.routes.length === 0 || record.routes.includes(route);
}

/** The first reason the key refuses this call, or undefined when it admits it. */
export function checkKeyAccess(record: KeyRecord, request: KeyAccessRequest): KeyAccessDenial | undefined {
  const unusable = keyUsability(record, request.now);
  if (unusable !== undefined) return unusable;
  if (request.route !== undefined && !isRouteAllowed(record, request.route)) return 'route_not_allowed';
  if (request.clientAddress !== undefined && !isAddressInSubnets(record.subnets, request.clientAddress)) return 'address_not_allowed';
  return undefined;
}
