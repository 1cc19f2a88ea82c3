/**
 * `Mutable<T>`: `T` with its properties writable, for building a readonly result field by field.
 * Hot paths build objects this way instead of with conditional spreads (`...(x === undefined ? {} :
 * { x })`), which V8 runs as a generic property copy on every call. Internal; not exported from the
 * package.
 */

/** `T` with its properties writable. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
