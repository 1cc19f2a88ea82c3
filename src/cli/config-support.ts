/**
 * What the config commands (`validate`, `explain`, `routes`) share: argument parsing with a usage
 * message, loading a config whose `${VAR}`s may be unset, and the line of a YAML path for warnings.
 */
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LineCounter, parseDocument, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from '../config/config-error.js';
import type { Environment } from '../config/interpolate.js';
import { loadConfig } from '../config/load.js';
import type { SwitchyardConfig } from '../config/types.js';
import type { CommandIo } from './canary-command.js';

export type { CommandIo } from './canary-command.js';

/** Options every config command accepts besides its arguments (tests pass an environment). */
export interface ConfigCommandOptions {
  /** Variables for `${VAR}` interpolation. @default process.env */
  readonly env?: Environment;
}

const UNSET_VARIABLE = /^environment variable (\S+) is not set/;

/** The variable an interpolation problem names as unset, if it is one. */
export function unsetVariableOf(problem: ConfigProblem): string | undefined {
  return UNSET_VARIABLE.exec(problem.message)?.[1];
}

/** Prints a usage mistake and the command's help; returns exit code 2. */
export function usageError(io: CommandIo, usage: string, message: string): number {
  io.stderr(`${message}\n\n${usage}`);
  return 2;
}

/** Parses a command's arguments; a usage mistake is returned as its message. */
export function parseCommandArgs(
  argv: readonly string[],
  options: NonNullable<ParseArgsConfig['options']>,
): { readonly values: Record<string, string | boolean | undefined>; readonly positionals: string[] } | { readonly mistake: string } {
  try {
    const parsed = parseArgs({ args: [...argv], allowPositionals: true, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true });
    return { values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    return { mistake: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The arguments of a command over one config file: its options and the file, or the exit code
 * when there is nothing more to do (help printed, or a usage mistake reported).
 */
export function parseConfigCommand(
  argv: readonly string[],
  io: CommandIo,
  usage: string,
  options: NonNullable<ParseArgsConfig['options']>,
  tooMany = '',
): { readonly file: string; readonly values: Record<string, string | boolean | undefined> } | number {
  const parsed = parseCommandArgs(argv, options);
  if ('mistake' in parsed) return usageError(io, usage, parsed.mistake);
  if (parsed.values.help === true) {
    io.stdout(usage);
    return 0;
  }
  const [file, ...extra] = parsed.positionals;
  if (file === undefined) return usageError(io, usage, 'Missing the config file.');
  if (extra.length > 0) return usageError(io, usage, `Unexpected argument ${JSON.stringify(extra[0])}${tooMany}.`);
  return { file, values: parsed.values };
}

/** A config loaded for inspection, with the variables that were unset and given a placeholder. */
export interface InspectedConfig {
  readonly config: SwitchyardConfig;
  /** Unset variables (each with the first path using it), filled with a placeholder to go on. */
  readonly unset: readonly ConfigProblem[];
}

/** A stand-in for an unset variable: a URL where one is expected, else a plain word. */
function placeholderFor(problem: ConfigProblem): string {
  // Short and odd on purpose: a key's value is registered as a secret, and every 8-character piece
  // of a secret is redacted from messages, so a wordy placeholder would blank out ordinary words.
  if (/redis\.url$/.test(problem.path)) return 'redis://unset.invalid:6379';
  if (/(?:url|Url)$/.test(problem.path)) return 'https://unset.invalid';
  return 'u0q7z-unset-x9k2w';
}

/**
 * Loads a config; when the only problems are unset `${VAR}`s, loads it again with placeholders for
 * them (the commands that inspect routing need no keys) and says which were unset. Throws the
 * `ConfigError` of any other problem.
 */
export function loadForInspection(path: string, env: Environment): InspectedConfig {
  try {
    return { config: loadConfig(path, { env }), unset: [] };
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    const unset = error.problems.filter((problem) => unsetVariableOf(problem) !== undefined);
    if (unset.length === 0 || unset.length !== error.problems.length || error.omittedProblems > 0) throw error;
    const filled: Record<string, string | undefined> = { ...env };
    for (const problem of unset) {
      const name = unsetVariableOf(problem);
      if (name !== undefined && filled[name] === undefined) filled[name] = placeholderFor(problem);
    }
    return { config: loadConfig(path, { env: filled }), unset };
  }
}

/** Finds the line of a value in a YAML file by its path (`routes`, `claude`, `targets`); undefined when unknown. */
export function createLineFinder(path: string): (segments: readonly (string | number)[]) => number | undefined {
  let document;
  const lineCounter = new LineCounter();
  try {
    document = parseDocument(readFileSync(path, 'utf8'), { lineCounter, uniqueKeys: false });
  } catch {
    return () => undefined;
  }
  return (segments) => {
    for (let length = segments.length; length > 0; length -= 1) {
      const node = document.getIn(segments.slice(0, length), true) as Node | undefined;
      const offset = node?.range?.[0];
      if (typeof offset === 'number') return lineCounter.linePos(offset).line;
    }
    return undefined;
  };
}

/** Percent with one decimal, without a trailing `.0`. */
export function percent(share: number): string {
  const rounded = Math.round(share * 1000) / 10;
  return `${rounded}%`;
}

/** Pads the columns of rows of text to equal widths (the last column is not padded). */
export function table(rows: readonly (readonly string[])[], indent = ''): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0))).join('  ')}`.trimEnd()).join('\n');
}
