/**
 * Virtual keys and the ids the store hands out: how a key looks, how it is hashed for storage,
 * what is kept of it for display, and the record and reservation ids (random, never derived from
 * a key).
 */
import { createHash, randomFillSync } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Bytes at or above this are rejected so that `byte % 62` stays uniform (248 = 4 × 62). */
const UNIFORM_BYTE_LIMIT = 248;

/** What every generated key starts with, so leaked keys are recognisable (secret scanners, logs). */
export const KEY_PREFIX = 'sy-';

/**
 * Characters of randomness in a generated key: 43 base62 characters carry 43 × log2(62) ≈ 256.0
 * bits, as much as 32 random bytes.
 */
export const KEY_RANDOM_CHARACTERS = 43;

/** Random bytes drawn from the CSPRNG in blocks, so an id costs no system call of its own. */
const randomPool = Buffer.alloc(4_096);
let randomPoolOffset = randomPool.length;

function nextRandomByte(): number {
  if (randomPoolOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomPoolOffset = 0;
  }
  const byte = randomPool[randomPoolOffset] as number;
  randomPoolOffset += 1;
  return byte;
}

/** `length` uniformly random base62 characters from the CSPRNG (rejection sampling, no modulo bias). */
export function randomBase62(length: number): string {
  const codes = new Array<number>(length);
  for (let index = 0; index < length; ) {
    const byte = nextRandomByte();
    if (byte < UNIFORM_BYTE_LIMIT) {
      codes[index] = BASE62.charCodeAt(byte % 62);
      index += 1;
    }
  }
  return String.fromCharCode(...codes);
}

/**
 * A new virtual key: `sy-` and 43 base62 characters (≈ 256 bits). Base62 rather than base64url so
 * a double click selects the whole key. Shown once, at creation; only its hash is stored.
 *
 * @example
 * generateKey() // 'sy-3kTq9cV0…' (46 characters)
 */
export function generateKey(): string {
  return KEY_PREFIX + randomBase62(KEY_RANDOM_CHARACTERS);
}

/**
 * The stored form of a key: SHA-256, lower-case hex. A fast unsalted hash is the right choice
 * here, unlike for passwords: keys carry ≥ 256 bits of randomness (or, for keys declared in the
 * config, at least 20 random characters), so no dictionary or brute force can invert the hash,
 * and the lookup by hash on every call costs ~1 µs instead of a key-stretching function's
 * ~50–100 ms.
 */
export function hashKey(plainKey: string): string {
  return createHash('sha256').update(plainKey, 'utf8').digest('hex');
}

/**
 * What is kept of a key for display: its first characters and an ellipsis (`sy-abcd…`), enough for
 * a person to tell keys apart, far too little to guess one (4 base62 characters ≈ 24 bits of 256).
 */
export function displayPrefixOf(plainKey: string): string {
  const shown = plainKey.startsWith(KEY_PREFIX) ? KEY_PREFIX.length + 4 : 4;
  return `${plainKey.slice(0, shown)}…`;
}

/** A new key record id, `key_` and 20 base62 characters; random, unrelated to the key itself. */
export function generateKeyId(): string {
  return `key_${randomBase62(20)}`;
}

/** The prefix of a reservation that holds quota in the store (a key with a finite quota). */
export const HELD_RESERVATION_PREFIX = 'rsv_';
/** The prefix of a reservation of an unlimited key: nothing is held, settle only records usage. */
export const UNHELD_RESERVATION_PREFIX = 'rsu_';

/** A new reservation id; `kind` says whether the store holds quota under it. */
export function generateReservationId(kind: 'held' | 'unheld'): string {
  return (kind === 'held' ? HELD_RESERVATION_PREFIX : UNHELD_RESERVATION_PREFIX) + randomBase62(22);
}

/** The prefix of a settlement batch's record (`SettlementBatch.id`). */
export const SETTLEMENT_BATCH_PREFIX = 'rsb_';

/** A new settlement batch id. */
export function generateBatchId(): string {
  return SETTLEMENT_BATCH_PREFIX + randomBase62(22);
}

/** Whether a reservation id was handed out for an unlimited key (no row until it is settled). */
export function isUnheldReservation(reservationId: string): boolean {
  return reservationId.startsWith(UNHELD_RESERVATION_PREFIX);
}
