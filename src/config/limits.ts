/**
 * Bounds on what the config loader accepts. A config file is small (the bundled examples are a
 * few kilobytes); these limits are far above any real one and keep loading linear in time and
 * bounded in memory and stack, so a broken or hostile file ends in a `ConfigError` within
 * milliseconds instead of a stall or a crash.
 */

/** The limits the loader enforces; each error that hits one names it. */
export const CONFIG_LIMITS = {
  /**
   * Largest YAML text accepted, in UTF-8 bytes (256 KiB, fifty times the largest example). The
   * parser needs up to about 5 s per MiB on the worst broken texts, so this keeps a refusal fast.
   */
  maxBytes: 262_144,
  /** Deepest nesting of mappings and lists (the deepest key of the schema is about 6 levels down). */
  maxDepth: 64,
  /** Most keys in one mapping (the largest real mappings, `pricing` and `routes`, hold hundreds). */
  maxKeysPerMapping: 10_000,
  /**
   * Most values in the whole document, counting keys and every use of an alias as a copy of what
   * it refers to (so a "billion laughs" of nested aliases is refused before it is expanded).
   */
  maxValues: 100_000,
  /** Most characters of a value quoted in an error message, after redaction; longer ones end in `…`. */
  maxQuotedLength: 40,
  /** Most problems one `ConfigError` lists; the count of the others is given. */
  maxProblems: 100,
} as const;
