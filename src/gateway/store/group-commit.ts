/**
 * What both backends share to write many calls' reservations and settlements in one transaction
 * (group commit): settlements checked once, a batch's reservations grouped by key, and claimed
 * settlements folded into one charge per key and one ledger update per key, day, route and model,
 * in a fixed order (by key, then day, route, model), so two instances writing batches at once
 * take their row locks in the same order and never deadlock on each other.
 */
import { generateBatchId, isUnheldReservation } from './key-format.js';
import { checkDay, checkTokenCount, checkUsd } from './key-input.js';
import type { ReserveInput, SettleInput, SettlementBatch } from './types.js';

/** A settlement with its numbers checked and in the store's units. */
export interface CheckedSettlement {
  readonly reservationId: string;
  readonly keyId: string;
  readonly unheld: boolean;
  readonly day: string;
  readonly route: string;
  readonly model: string;
  readonly errors: 0 | 1;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedTokens: number;
  readonly cacheWriteTokens: number;
  readonly reasoningTokens: number;
  readonly nanos: number;
}

/** Checks a settlement's numbers (an `invalid_request` error names the field) and converts them. */
export function checkSettlement(input: SettleInput): CheckedSettlement {
  return {
    reservationId: input.reservationId,
    keyId: input.keyId,
    unheld: isUnheldReservation(input.reservationId),
    day: checkDay(input.day, 'day'),
    route: input.route,
    model: input.model,
    errors: input.outcome === 'error' ? 1 : 0,
    inputTokens: checkTokenCount(input.inputTokens, 'inputTokens'),
    outputTokens: checkTokenCount(input.outputTokens, 'outputTokens'),
    cachedTokens: checkTokenCount(input.cachedTokens, 'cachedTokens'),
    cacheWriteTokens: checkTokenCount(input.cacheWriteTokens ?? 0, 'cacheWriteTokens'),
    reasoningTokens: checkTokenCount(input.reasoningTokens ?? 0, 'reasoningTokens'),
    nanos: checkUsd(input.usd, 'usd'),
  };
}

/** Checks what `reserve` checks, so that a bad input is refused alone, before it joins a batch. */
export function checkReserveInput(input: ReserveInput): void {
  checkTokenCount(input.tokens, 'tokens');
  checkUsd(input.usd, 'usd');
}

/** The batch id for settlements written together: see `SettlementBatch`. */
export function settlementBatchOf(settlements: readonly SettleInput[]): SettlementBatch {
  let unheld: SettleInput | undefined;
  let unheldCount = 0;
  for (const settlement of settlements) {
    if (isUnheldReservation(settlement.reservationId)) {
      unheld = settlement;
      unheldCount += 1;
    }
  }
  return { id: unheldCount === 1 && unheld !== undefined ? unheld.reservationId : generateBatchId(), settlements };
}

/** A claimed settlement: what it used, and what its reservation held (0 for unlimited keys). */
export interface ClaimedSettlement {
  readonly settlement: CheckedSettlement;
  /** The key charged: the reservation row's (held) or the settlement's (unheld). */
  readonly keyId: string;
  readonly heldTokens: number;
  readonly heldNanos: number;
}

/** One key's charge: used tokens and nanos added, held ones released (`chargeKey`'s arguments). */
export type KeyCharge = readonly [keyId: string, usedTokens: number, usedNanos: number, releasedTokens: number, releasedNanos: number];

/** One ledger update (`addFoldedToLedger`'s arguments). */
export type LedgerAddition = readonly [
  keyId: string,
  day: string,
  route: string,
  model: string,
  calls: number,
  errors: number,
  inputTokens: number,
  outputTokens: number,
  cachedTokens: number,
  nanos: number,
  cacheWriteTokens: number,
  reasoningTokens: number,
];

/** Folds claimed settlements into one charge per key and one ledger addition per group, sorted. */
export function foldSettlements(claimed: readonly ClaimedSettlement[]): { readonly charges: readonly KeyCharge[]; readonly ledger: readonly LedgerAddition[] } {
  const charges = new Map<string, [string, number, number, number, number]>();
  const ledger = new Map<string, [string, string, string, string, number, number, number, number, number, number, number, number]>();
  for (const { settlement, keyId, heldTokens, heldNanos } of claimed) {
    const charge = charges.get(keyId) ?? [keyId, 0, 0, 0, 0];
    charge[1] += settlement.inputTokens + settlement.outputTokens;
    charge[2] += settlement.nanos;
    charge[3] += heldTokens;
    charge[4] += heldNanos;
    charges.set(keyId, charge);
    const group = `${settlement.keyId}\u0000${settlement.day}\u0000${settlement.route}\u0000${settlement.model}`;
    const row = ledger.get(group) ?? [settlement.keyId, settlement.day, settlement.route, settlement.model, 0, 0, 0, 0, 0, 0, 0, 0];
    row[4] += 1;
    row[5] += settlement.errors;
    row[6] += settlement.inputTokens;
    row[7] += settlement.outputTokens;
    row[8] += settlement.cachedTokens;
    row[9] += settlement.nanos;
    row[10] += settlement.cacheWriteTokens;
    row[11] += settlement.reasoningTokens;
    ledger.set(group, row);
  }
  const byKey = (left: readonly unknown[], right: readonly unknown[]): number => compareTuples(left, right, 1);
  const byGroup = (left: readonly unknown[], right: readonly unknown[]): number => compareTuples(left, right, 4);
  return { charges: [...charges.values()].sort(byKey), ledger: [...ledger.values()].sort(byGroup) };
}

function compareTuples(left: readonly unknown[], right: readonly unknown[], length: number): number {
  for (let index = 0; index < length; index += 1) {
    const a = String(left[index]);
    const b = String(right[index]);
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** The indices of `items` grouped by key id, groups in order of first appearance. */
export function groupByKey(items: readonly { readonly keyId: string }[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const group = groups.get(item.keyId);
    if (group === undefined) groups.set(item.keyId, [index]);
    else group.push(index);
  });
  return groups;
}

/**
 * The settlements of a batch a backend may charge: each reservation id once (a duplicate in the
 * same batch charges nothing, as a second `settle` would).
 */
export function firstOccurrences(settlements: readonly CheckedSettlement[]): boolean[] {
  const seen = new Set<string>();
  return settlements.map((settlement) => {
    if (seen.has(settlement.reservationId)) return false;
    seen.add(settlement.reservationId);
    return true;
  });
}
