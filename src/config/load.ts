/**
 * Loading a configuration: read (a file, YAML text or a typed object), interpolate `${VAR}`,
 * validate, apply defaults. A broken config throws one `ConfigError` listing every problem with
 * its path and, for YAML, its line; no input, however broken, ends in another exception or a
 * stall (see `limits.ts` for the bounds and `redact-text.ts` for what an error may show).
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { LineCounter, type YAMLError } from 'yaml';
import { checkReferences } from './check-references.js';
import { checkValueShape } from './check-value-shape.js';
import { checkYamlDocument } from './check-yaml-document.js';
import { ConfigError, formatPath, type ConfigProblem, type PathProblem } from './config-error.js';
import { describeIssues } from './describe-issues.js';
import { interpolateValues, type Environment } from './interpolate.js';
import { CONFIG_LIMITS } from './limits.js';
import { shownText } from './redact-text.js';
import { parseYaml } from './parse-yaml.js';
import { resolveParsedConfig } from './resolve-config.js';
import type { SwitchyardConfigInput } from './config-input.js';
import { configSchema } from './schema.js';
import { findConfigSecrets, registerConfigSecrets } from './secrets.js';
import type { SwitchyardConfig } from './types.js';
import { createYamlLocator, type Locator } from './yaml-locator.js';

/** Options for `loadConfig`. */
export interface LoadConfigOptions {
  /** Variables for `${VAR}` interpolation. @default process.env */
  readonly env?: Environment;
}

/** Options for `parseConfig` and `resolveConfig`. */
export interface ParseConfigOptions extends LoadConfigOptions {
  /** Names the source in error messages (e.g. the file name). */
  readonly sourceName?: string;
}

/**
 * Identity function that gives a config written in TypeScript its type (and editor completion).
 *
 * @example
 * const config = resolveConfig(defineConfig({ providers: { openai: { type: 'openai', apiKey: '${OPENAI_API_KEY}' } } }));
 */
export function defineConfig(input: SwitchyardConfigInput): SwitchyardConfigInput {
  return input;
}

/**
 * Reads and resolves a YAML config file.
 *
 * @throws ConfigError (a `SwitchyardError` of category `config`) listing every problem with its line.
 */
export function loadConfig(path: string, options: LoadConfigOptions = {}): SwitchyardConfig {
  let text: string;
  try {
    text = readBounded(path);
  } catch (error) {
    if (ConfigError.isConfigError(error)) throw error;
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    throw new ConfigError({ problems: [{ path: '(file)', message: `cannot be read (${reason})` }], sourceName: path, cause: error });
  }
  return parseConfig(text, { ...options, sourceName: path });
}

/** Reads a file as UTF-8, refusing one larger than the limit before reading it. */
function readBounded(path: string): string {
  const descriptor = openSync(path, 'r');
  try {
    const stats = fstatSync(descriptor);
    if (stats.isFile() && stats.size > CONFIG_LIMITS.maxBytes) throw fileTooLarge(stats.size, path);
    return readFileSync(descriptor, 'utf8');
  } finally {
    closeSync(descriptor);
  }
}

function fileTooLarge(bytes: number, sourceName: string | undefined): ConfigError {
  return new ConfigError({
    problems: [{ path: '(file)', message: `is ${bytes} bytes long; a config may be at most ${CONFIG_LIMITS.maxBytes} bytes (${CONFIG_LIMITS.maxBytes / 1024} KiB)` }],
    sourceName,
  });
}

/**
 * Resolves a config from YAML text.
 *
 * @throws ConfigError listing every problem, each as `path: what is wrong (line N)`.
 */
export function parseConfig(yamlText: string, options: ParseConfigOptions = {}): SwitchyardConfig {
  const bytes = Buffer.byteLength(yamlText, 'utf8');
  if (bytes > CONFIG_LIMITS.maxBytes) throw fileTooLarge(bytes, options.sourceName);
  const lineCounter = new LineCounter();
  const parsed = parseYaml(yamlText, lineCounter);
  if ('refused' in parsed) throw new ConfigError({ problems: [{ path: '(file)', message: parsed.refused }], sourceName: options.sourceName });
  const { document } = parsed;
  const checked = checkYamlDocument(document, lineCounter);
  // The secrets are known before anything is reported, even when the document cannot be used.
  const secrets = [...new Set([...findConfigSecrets(checked.sketch), ...findConfigSecrets(interpolateValues(checked.sketch, options.env ?? process.env).value)])];
  if (document.errors.length > 0 || checked.problems.length > 0) {
    throw new ConfigError({ problems: [...syntaxProblems(document.errors, yamlText, lineCounter, secrets), ...checked.problems], sourceName: options.sourceName, secrets });
  }
  let raw: unknown;
  try {
    // Bounded by the check above (no cycle, no unresolved alias, a limited expansion).
    raw = document.toJS({ maxAliasCount: -1 });
  } catch {
    // The conversion's message may quote the document; it is not kept.
    throw new ConfigError({ problems: [{ path: 'YAML', message: 'the document cannot be turned into data' }], sourceName: options.sourceName, secrets });
  }
  return buildConfig(raw, options, createYamlLocator(document, lineCounter, checked.aliasTargets), secrets);
}

/**
 * Resolves a config given as an object (e.g. from `defineConfig`). String values are interpolated
 * exactly as in YAML.
 *
 * @throws ConfigError listing every problem by path.
 */
export function resolveConfig(input: SwitchyardConfigInput, options: ParseConfigOptions = {}): SwitchyardConfig {
  return buildConfig(input, options, () => undefined, []);
}

function buildConfig(raw: unknown, options: ParseConfigOptions, locate: Locator, knownSecrets: readonly string[]): SwitchyardConfig {
  const located = (problems: readonly PathProblem[]): ConfigProblem[] =>
    problems.map((problem): ConfigProblem => {
      const line = locate(problem.path, problem.atKey);
      return { path: formatPath(problem.path), message: problem.message, ...(line === undefined ? {} : { line }) };
    });

  const shapeProblems = checkValueShape(raw);
  if (shapeProblems.length > 0) {
    throw new ConfigError({ problems: located(shapeProblems), sourceName: options.sourceName, secrets: [...knownSecrets, ...findConfigSecrets(raw)] });
  }

  const interpolated = interpolateValues(withoutExtensions(raw), options.env ?? process.env);
  const value = interpolated.value;
  const secrets = [...new Set([...knownSecrets, ...registerConfigSecrets(value)])];

  const problems: PathProblem[] = [...interpolated.problems, ...checkReferences(value)];
  let config: SwitchyardConfig | undefined;
  const parsed = configSchema.safeParse(value);
  if (parsed.success) {
    const resolved = resolveParsedConfig(parsed.data, { baseDirectory: options.sourceName === undefined ? process.cwd() : dirname(resolvePath(options.sourceName)), written: raw, locate });
    if (resolved.ok) config = resolved.config;
    else problems.push(...resolved.problems);
  } else {
    problems.push(...describeIssues(parsed.error.issues, value, configSchema));
  }

  const reported = dropEchoes(problems, interpolated.problems);
  if (reported.length > 0 || config === undefined) {
    throw new ConfigError({ problems: located(reported), sourceName: options.sourceName, secrets });
  }
  return config;
}

/**
 * Top-level keys starting with `x-` are ignored, so a file can hold YAML anchors to reuse
 * (`x-fast-retry: &fast {...}` then `retry: *fast`), as in Docker Compose files.
 */
function withoutExtensions(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('x-')));
}

/** A value that could not be interpolated is reported once, not again by the checks that saw it raw. */
function dropEchoes(problems: readonly PathProblem[], interpolationProblems: readonly PathProblem[]): PathProblem[] {
  const own = new Set(interpolationProblems);
  const failed = new Set(interpolationProblems.map((problem) => formatPath(problem.path)));
  if (failed.size === 0) return [...problems];
  return problems.filter((problem) => {
    if (own.has(problem)) return true;
    // The problem is an echo when its path or one of its ancestors failed to interpolate.
    for (let length = problem.path.length; length > 0; length -= 1) {
      if (failed.has(formatPath(problem.path.slice(0, length)))) return false;
    }
    return !failed.has('(root)');
  });
}

const SYNTAX_WORDING: Readonly<Record<string, string>> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a "---" line); a config is one document',
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
  RESOURCE_EXHAUSTION: `nested too deeply to be read (at most ${CONFIG_LIMITS.maxDepth} levels are allowed)`,
  BAD_DQ_ESCAPE: 'an invalid escape sequence (\\…) in a double-quoted string',
  TAG_RESOLVE_FAILED: 'a tag (!…) that cannot be resolved',
  BAD_DIRECTIVE: 'a malformed or unknown directive (a line starting with %)',
  KEY_OVER_1024_CHARS: 'a key longer than 1024 characters must be written as an explicit key (? key)',
};

/** Longest syntax message kept (after redaction). */
const MAX_SYNTAX_MESSAGE = 160;

/**
 * One problem per line with a syntax error (the parser often reports several for one mistake).
 * Token text the parser quotes is dropped or cut: it could be part of a secret.
 */
function syntaxProblems(errors: readonly YAMLError[], yamlText: string, lineCounter: LineCounter, secrets: readonly string[]): ConfigProblem[] {
  const byLine = new Map<number, ConfigProblem>();
  for (const error of errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    if (byLine.has(line)) continue;
    let message = SYNTAX_WORDING[error.code] ?? syntaxMessage(error, secrets);
    if (sourceLine(yamlText, lineCounter, line).includes('${')) message += ' (inside { } or [ ], put values using ${...} in quotes)';
    byLine.set(line, { path: 'YAML syntax', message, line });
  }
  return [...byLine.values()];
}

/** The parser's own wording, without a quoted token at its end, redacted and cut. */
function syntaxMessage(error: YAMLError, secrets: readonly string[]): string {
  const newline = error.message.indexOf('\n');
  const first = (newline === -1 ? error.message : error.message.slice(0, newline)).slice(0, 4 * MAX_SYNTAX_MESSAGE);
  return shownText(first.replace(/: ".{3,}"$/, '') || error.code, secrets, MAX_SYNTAX_MESSAGE);
}

/** The text of one line (1-based), without splitting the whole source. */
function sourceLine(text: string, lineCounter: LineCounter, line: number): string {
  const start = lineCounter.lineStarts[line - 1] ?? text.length;
  const end = lineCounter.lineStarts[line] ?? text.length;
  return text.slice(start, end);
}
