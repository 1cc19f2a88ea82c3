/**
 * Random (version 4) UUIDs, as `crypto.randomUUID()` gives, written as one flat string: request
 * ids, and the lease ids of the Redis rate limiter.
 *
 * Node 20's `randomUUID()` joins twenty pieces with `+`, which V8 keeps as a tree of about a dozen
 * cons strings. A request id lives as long as its call, so with 64 calls in flight every
 * young-generation collection copied each call's tree (~500 B and a dozen objects per call, in heap
 * snapshots of the router with calls waiting). Here the text is written into a buffer and read out
 * once. Randomness is the same: bytes from `randomFillSync` (the CSPRNG `randomUUID` uses), taken
 * for 128 ids at a time as `randomUUID` does by default.
 */
import { randomFillSync } from 'node:crypto';

const BYTES_PER_ID = 16;
const IDS_PER_FILL = 128;
const randomBytes = Buffer.alloc(BYTES_PER_ID * IDS_PER_FILL);
let nextByte = randomBytes.length;

/** `xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx`: the dashes stay, the digits are written per id. */
const text = Buffer.from('00000000-0000-4000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes' two hex digits go in `text`. */
const DIGIT_OFFSETS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34] as const;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');

/**
 * A new random version 4 UUID (RFC 9562) in lower-case hex, as one flat string.
 *
 * @example
 * randomUuid() // '1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'
 */
export function randomUuid(): string {
  if (nextByte === randomBytes.length) {
    randomFillSync(randomBytes);
    nextByte = 0;
  }
  for (let index = 0; index < BYTES_PER_ID; index += 1) {
    let byte = randomBytes[nextByte + index] as number;
    if (index === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (index === 8) byte = (byte & 0x3f) | 0x80; // variant 10xx
    const offset = DIGIT_OFFSETS[index] as number;
    text[offset] = HEX_DIGITS[byte >> 4] as number;
    text[offset + 1] = HEX_DIGITS[byte & 0x0f] as number;
  }
  nextByte += BYTES_PER_ID;
  return text.toString('latin1');
}
