/**
 * The error a broken configuration throws: one `SwitchyardError` of category `config` listing
 * every problem on its own line, as `path: what is wrong (line N)`, with the list kept as data.
 */
import { SwitchyardError } from '../errors.js';
import { CONFIG_LIMITS } from './limits.js';
import { shownText } from './redact-text.js';

/** One step of a path into the config: a key or an array index. */
export type PathSegment = string | number;

/** One thing wrong with a configuration. */
export interface ConfigProblem {
  /** Where, in dotted form with `[index]`, e.g. `routes.claude.targets[1].weight` (`(root)` for the top). */
  readonly path: string;
  /** What is wrong, in words (never the value of a secret). */
  readonly message: string;
  /** 1-based line in the YAML source, when the config came from YAML and the place is known. */
  readonly line?: number;
}

/** A problem at a path of the config, before it is given a line and formatted. */
export interface PathProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** Locate the line of the key itself rather than of its value (unknown keys, bad names). */
  readonly atKey?: boolean;
}

/** Options for `ConfigError`. */
export interface ConfigErrorOptions {
  readonly problems: readonly ConfigProblem[];
  /** The file (or other source) the config came from, named in the message. */
  readonly sourceName?: string;
  /**
   * The config's own secrets (see `findConfigSecrets`): replaced in every path and message, on top
   * of the secrets registered process-wide and every credential-shaped token.
   */
  readonly secrets?: readonly string[];
  readonly cause?: unknown;
}

/** Longest path an error shows (after redaction); longer ones end in `…`. */
const MAX_PATH_LENGTH = 200;
/** Longest message of one problem (after redaction). */
const MAX_MESSAGE_LENGTH = 500;
/** Longest list of problems in the error's message (the rest are counted). */
const MAX_MESSAGE_TEXT = 3_500;

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** Formats a path as `routes.claude.targets[1].weight`; odd keys are quoted: `routes["gpt-4.1"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text === '' ? '(root)' : text;
}

/** Formats one problem as it appears in the error message. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}${problem.line === undefined ? '' : ` (line ${problem.line})`}`;
}

function headline(total: number, listed: number | undefined, sourceName: string | undefined): string {
  const where = sourceName === undefined ? '' : ` in ${sourceName}`;
  const some = listed === undefined ? '' : `, the first ${listed} listed`;
  return `Invalid Switchyard configuration${where} (${total} ${total === 1 ? 'problem' : 'problems'}${some}):`;
}

/**
 * A configuration that cannot be used. Its message lists the problems, one per line (as many as
 * fit in a few kilobytes, then a count of the others); `problems` holds them as data (the first
 * 100). Paths and messages never show a secret of the config (see `redact-text.ts`) and are cut
 * to 200 and 500 characters. It is a `SwitchyardError` of category `config`.
 */
export class ConfigError extends SwitchyardError {
  /** The problems found, ordered by line (the first 100; see `omittedProblems`). */
  readonly problems: readonly ConfigProblem[];
  /** How many more problems were found than `problems` holds (it keeps the first 100). */
  readonly omittedProblems: number;
  readonly sourceName: string | undefined;

  constructor(options: ConfigErrorOptions) {
    const secrets = options.secrets ?? [];
    const all = orderProblems(options.problems);
    // Only what is kept is redacted and cut (a broken file may hold many thousands of problems).
    const problems = all.slice(0, CONFIG_LIMITS.maxProblems).map((problem) => ({
      ...problem,
      path: shownText(problem.path, secrets, MAX_PATH_LENGTH),
      message: shownText(problem.message, secrets, MAX_MESSAGE_LENGTH),
    }));
    const sourceName = options.sourceName === undefined ? undefined : shownText(options.sourceName, secrets, MAX_PATH_LENGTH);
    // The message lists the problems that fit in MAX_MESSAGE_TEXT; `problems` holds the first 100.
    const lines: string[] = [];
    let length = 0;
    for (const problem of problems) {
      const line = `  ${formatProblem(problem)}`;
      if (length + line.length + 1 > MAX_MESSAGE_TEXT) break;
      lines.push(line);
      length += line.length + 1;
    }
    const unlisted = all.length - lines.length;
    if (unlisted > 0) lines.push(`  … and ${unlisted} more`);
    super({
      category: 'config',
      code: 'config.invalid',
      message: [headline(all.length, unlisted === 0 ? undefined : lines.length - 1, sourceName), ...lines].join('\n'),
      retryable: false,
      cause: options.cause,
    });
    this.problems = problems;
    this.omittedProblems = all.length - problems.length;
    this.sourceName = sourceName;
  }

  /** True for a `ConfigError` (checked by shape, so it also works across copies of the package). */
  static isConfigError(error: unknown): error is ConfigError {
    return SwitchyardError.isInstance(error) && error.category === 'config' && Array.isArray((error as { problems?: unknown }).problems);
  }

  /** A plain object for logs, with the problems (already redacted). */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems, omittedProblems: this.omittedProblems, sourceName: this.sourceName };
  }
}

/** Removes duplicates and orders problems by line (problems without a line keep their order, last). */
function orderProblems(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  const unique: ConfigProblem[] = [];
  for (const problem of problems) {
    const key = formatProblem(problem);
    if (seen.has(key)) continue;
    seen.add(key);
    unique.push(problem);
  }
  return unique
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => (a.problem.line ?? Number.MAX_SAFE_INTEGER) - (b.problem.line ?? Number.MAX_SAFE_INTEGER) || a.index - b.index)
    .map(({ problem }) => problem);
}
