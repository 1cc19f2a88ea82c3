/**
 * The message a failed call ends with: every target tried, with its status, category and the
 * provider's own words, so an unreachable primary is not hidden behind its fallback's error:
 *
 *   all 2 attempts failed: anthropic/claude-x 401 auth (invalid x-api-key); openai/gpt-4o network (connect ECONNREFUSED 127.0.0.1:1)
 *
 * Each failure's text is redacted and cut (`redactAndClip`); the same failure at the same target
 * several times in a row (retries) is listed once with a count (`... (simulated 529) ×3`); at most
 * `MAX_LISTED` entries are listed, and the whole message is bounded. The error keeps its category,
 * code and fields (those of the deciding failure).
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

/** One entry of a summary: a failure's description and how many times in a row it happened. */
interface SummaryEntry {
  readonly text: string;
  times: number;
}

/**
 * The summary of a call's failures. `exhausted` when the call ended because nothing was left to
 * try (then "all N attempts failed"); otherwise it stopped early (the caller's fault, the budget).
 */
export function summarizeFailures(failures: readonly NotedFailure[], exhausted: boolean): string {
  const tries = failures.filter((failure) => failure.error.category !== 'circuit_open').length;
  const entries: SummaryEntry[] = [];
  let unlisted = 0;
  for (const failure of failures) {
    if (entries.length > MAX_LISTED) {
      unlisted += 1;
      continue;
    }
    const text = describeFailure(failure);
    const last = entries[entries.length - 1];
    if (last !== undefined && last.text === text) last.times += 1;
    else entries.push({ text, times: 1 });
  }
  // The entry past the limit was built only to know where the listed ones end: count it instead.
  if (entries.length > MAX_LISTED) unlisted += (entries.pop() as SummaryEntry).times;
  const listed = entries.map((entry) => (entry.times === 1 ? entry.text : `${entry.text} ×${entry.times}`));
  if (unlisted > 0) listed.push(`… and ${unlisted} more`);
  const count = `${tries} ${tries === 1 ? 'attempt' : 'attempts'}`;
  const head = tries === 0 ? 'no target could be tried' : exhausted && tries > 1 ? `all ${count} failed` : `${count} failed`;
  return redactAndClip(`${head}: ${listed.join('; ')}`, MAX_SUMMARY);
}
