/**
 * The simulator's prompt cache, played as Anthropic documents it
 * (https://platform.claude.com/docs/en/build-with-claude/prompt-caching): a request with cache
 * breakpoints reads the longest cached prefix ending at one of its breakpoints, and writes the
 * prefix up to its last breakpoint when that one is not cached yet. An entry lives its TTL
 * (5 minutes, or 1 hour) from its last use. Of a write, the tokens up to the last 1-hour breakpoint
 * are 1-hour writes (1-hour breakpoints come before 5-minute ones), billed apart. There is no minimum prompt length, so short test
 * prompts cache too.
 */

/** A breakpoint of a request: the prefix up to and including the marked block. */
export interface SimCacheBreakpoint {
  /** A digest of the prefix (tools, system and messages up to the marked block). */
  readonly prefixKey: string;
  /** Input tokens of the prefix. */
  readonly tokens: number;
  readonly ttlMs: number;
}

/** What one request read from and wrote to the cache, in tokens. */
export interface SimCacheUsage {
  readonly read: number;
  readonly write: number;
  /** Of `write`, the tokens written to 1-hour entries. */
  readonly write1h: number;
}

/** One simulator's prompt cache. */
export interface SimPromptCache {
  /** Looks the breakpoints up and records the writes; `now` in ms. */
  use(breakpoints: readonly SimCacheBreakpoint[], now: number): SimCacheUsage;
  /** Forgets every entry. */
  clear(): void;
}

const ONE_HOUR_MS = 3_600_000;

/** Creates an empty prompt cache. */
export function createSimPromptCache(): SimPromptCache {
  const expiries = new Map<string, number>();
  return {
    use(breakpoints, now) {
      if (breakpoints.length === 0) return { read: 0, write: 0, write1h: 0 };
      let read = 0;
      for (const breakpoint of breakpoints) {
        const expiry = expiries.get(breakpoint.prefixKey);
        if (expiry !== undefined && expiry > now) read = Math.max(read, breakpoint.tokens);
      }
      const last = breakpoints[breakpoints.length - 1] as SimCacheBreakpoint;
      const lastCached = (expiries.get(last.prefixKey) ?? 0) > now;
      const write = lastCached ? 0 : Math.max(0, last.tokens - read);
      const longLived = breakpoints.reduce((tokens, breakpoint) => (breakpoint.ttlMs >= ONE_HOUR_MS ? Math.max(tokens, breakpoint.tokens) : tokens), 0);
      const write1h = Math.min(write, Math.max(0, longLived - read));
      // Every prefix used is refreshed (or created) for its TTL.
      for (const breakpoint of breakpoints) expiries.set(breakpoint.prefixKey, Math.max(expiries.get(breakpoint.prefixKey) ?? 0, now + breakpoint.ttlMs));
      return { read, write, write1h };
    },
    clear() {
      expiries.clear();
    },
  };
}
