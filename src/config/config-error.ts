/**
 * The error a broken configuration throws: one `SwitchyardError` of category `config` listing
 * every problem on its own line, as `path: what is wrong (line N)`, with the list kept as data.
 */
import { redactSecrets, SwitchyardError } from '../errors.js';

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
  readonly cause?: unknown;
}

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

function headline(count: number, sourceName: string | undefined): string {
  const where = sourceName === undefined ? '' : ` in ${sourceName}`;
  return `Invalid Switchyard configuration${where} (${count} ${count === 1 ? 'problem' : 'problems'}):`;
}

/**
 * A configuration that cannot be used. Its message lists every problem, one per line;
 * `problems` holds the same list as data. It is a `SwitchyardError` of category `config`.
 */
export class ConfigError extends SwitchyardError {
  /** Every problem found, ordered by line. */
  readonly problems: readonly ConfigProblem[];
  readonly sourceName: string | undefined;

  constructor(options: ConfigErrorOptions) {
    const problems = orderProblems(options.problems).map((problem) => ({ ...problem, message: redactSecrets(problem.message) }));
    const lines = problems.map((problem) => `  ${formatProblem(problem)}`);
    super({
      category: 'config',
      message: [headline(problems.length, options.sourceName), ...lines].join('\n'),
      retryable: false,
      cause: options.cause,
    });
    this.problems = problems;
    this.sourceName = options.sourceName;
  }

  /** True for a `ConfigError` (checked by shape, so it also works across copies of the package). */
  static isConfigError(error: unknown): error is ConfigError {
    return SwitchyardError.isInstance(error) && error.category === 'config' && Array.isArray((error as { problems?: unknown }).problems);
  }

  /** A plain object for logs, with the problems (already redacted). */
  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), problems: this.problems, sourceName: this.sourceName };
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
