/**
 * Things router generations share by identity (adapters, connection pools, breaker registries,
 * canary plugins): made once for the first generation that asks for a key, handed to every later
 * one that asks for the same key, and let go when the last generation holding it is retired.
 */

/** Values shared by key between generations, each released when nobody holds it any more. */
export class KeyedShares<T> {
  private readonly entries = new Map<string, { readonly value: T; holders: number }>();

  /** @param release called once for a value nobody holds any more (closes its connections...). */
  constructor(private readonly release: (value: T) => Promise<void> | void) {}

  /** The value of `key`, made by `create` if nobody holds one; the caller now holds it too. */
  acquire(key: string, create: () => T): T {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { value: create(), holders: 0 };
      this.entries.set(key, entry);
    }
    entry.holders += 1;
    return entry.value;
  }

  /** Whether someone holds a value under `key`. */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Lets go of `key` once; releases its value when that was the last holder. */
  async drop(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.holders -= 1;
    if (entry.holders > 0) return;
    this.entries.delete(key);
    await this.release(entry.value);
  }

  /** Releases every value, held or not (the router is closing). */
  async releaseAll(): Promise<void> {
    const values = [...this.entries.values()].map((entry) => entry.value);
    this.entries.clear();
    await Promise.allSettled(values.map(async (value) => this.release(value)));
  }
}

/** What one generation holds: keys in shares, let go of together when it is retired. */
export class Holdings {
  private readonly held: { readonly shares: KeyedShares<unknown>; readonly key: string }[] = [];

  /** Acquires `key` in `shares` and remembers to drop it. */
  take<T>(shares: KeyedShares<T>, key: string, create: () => T): T {
    const value = shares.acquire(key, create);
    this.held.push({ shares: shares as KeyedShares<unknown>, key });
    return value;
  }

  /** Drops everything taken (at retirement, or when a generation could not be built). */
  async dropAll(): Promise<void> {
    const held = this.held.splice(0);
    await Promise.allSettled(held.map(({ shares, key }) => shares.drop(key)));
  }
}
