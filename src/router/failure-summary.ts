/**
 * The message a failed call ends with: every target tried, with its status, category and the
 * provider's own words, so an unreachable primary is not hidden behind its fallback's error:
 *
 *   all 2 attempts failed: anthropic/claude-x 401 auth (invalid x-api-key); openai/gpt-4o network (connect ECONNREFUSED 127.0.0.1:1)
 *
 * Each failure's text is redacted and cut (`redactAndClip`), at most `MAX_LISTED` are listed, and
 * the whole message is bounded. The error keeps its category and fields (those of the last failure).
 */
import type { SwitchyardError } from '../errors.js';
import { redactAndClip } from '../secret-registry.js';

/** One failed (or skipped) try of a call. */
export interface NotedFailure {
  /** `provider/model`. */
  readonly key: string;
  readonly error: SwitchyardError;
  /** What to fix, when the router knows (`check the key in ANTHROPIC_API_KEY (…)` for a rejected key). */
  readonly hint?: string;
}

/** Longest provider text shown for one failure. */
const MAX_DETAIL = 160;
/** Failures listed before the rest are counted. */
const MAX_LISTED = 8;
/** Longest summary. */
const MAX_SUMMARY = 2_000;

/** One failure as the summary lists it: `anthropic/claude-x 401 auth (invalid x-api-key)`. */
export function describeFailure(failure: NotedFailure): string {
  const { key, error } = failure;
  if (error.category === 'circuit_open') return `${key} skipped (circuit open)`;
  const status = error.status === undefined ? '' : ` ${error.status}`;
  const detail = redactAndClip(error.message.replace(/\s+/g, ' ').trim(), MAX_DETAIL);
  const parts = [...(detail === '' ? [] : [detail]), ...(failure.hint === undefined ? [] : [failure.hint])];
  return `${key}${status} ${error.category}${parts.length === 0 ? '' : ` (${parts.join('; ')})`}`;
}

/**
 * The summary of a call's failures. `exhausted` when the call ended because nothing was left to
 * try (then "all N attempts failed"); otherwise it stopped early (the caller's fault, the budget).
 */
export function summarizeFailures(failures: readonly NotedFailure[], exhausted: boolean): string {
  const tries = failures.filter((failure) => failure.error.category !== 'circuit_open').length;
  const listed = failures.slice(0, MAX_LISTED).map(describeFailure);
  if (failures.length > MAX_LISTED) listed.push(`… and ${failures.length - MAX_LISTED} more`);
  const count = `${tries} ${tries === 1 ? 'attempt' : 'attempts'}`;
  const head = tries === 0 ? 'no target could be tried' : exhausted && tries > 1 ? `all ${count} failed` : `${count} failed`;
  return redactAndClip(`${head}: ${listed.join('; ')}`, MAX_SUMMARY);
}
