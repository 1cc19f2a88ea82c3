/**
 * Loading a configuration: read (a file, YAML text or a typed object), interpolate `${VAR}`,
 * validate, apply defaults. A broken config throws one `ConfigError` listing every problem with
 * its path and, for YAML, its line.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { isAlias, LineCounter, parseDocument, visit, type Document, type YAMLError } from 'yaml';
import { checkReferences } from './check-references.js';
import { ConfigError, formatPath, type ConfigProblem, type PathProblem } from './config-error.js';
import { describeIssues } from './describe-issues.js';
import { interpolateValues, type Environment } from './interpolate.js';
import { resolveParsedConfig } from './resolve-config.js';
import { configSchema, type SwitchyardConfigInput } from './schema.js';
import { registerConfigSecrets } from './secrets.js';
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
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    throw new ConfigError({ problems: [{ path: '(file)', message: `cannot be read (${reason})` }], sourceName: path, cause: error });
  }
  return parseConfig(text, { ...options, sourceName: path });
}

/**
 * Resolves a config from YAML text.
 *
 * @throws ConfigError listing every problem, each as `path: what is wrong (line N)`.
 */
export function parseConfig(yamlText: string, options: ParseConfigOptions = {}): SwitchyardConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, merge: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new ConfigError({ problems: syntaxProblems(document.errors, yamlText, lineCounter), sourceName: options.sourceName });
  }
  let raw: unknown;
  try {
    raw = document.toJS({ maxAliasCount: 1_000 });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigError({
      problems: [{ path: 'YAML', message, line: unresolvedAliasLine(document, lineCounter) }],
      sourceName: options.sourceName,
      cause: error,
    });
  }
  return buildConfig(raw, options, createYamlLocator(document, lineCounter));
}

/**
 * Resolves a config given as an object (e.g. from `defineConfig`). String values are interpolated
 * exactly as in YAML.
 *
 * @throws ConfigError listing every problem by path.
 */
export function resolveConfig(input: SwitchyardConfigInput, options: ParseConfigOptions = {}): SwitchyardConfig {
  return buildConfig(input, options, () => undefined);
}

function buildConfig(raw: unknown, options: ParseConfigOptions, locate: Locator): SwitchyardConfig {
  const interpolated = interpolateValues(withoutExtensions(raw), options.env ?? process.env);
  const value = interpolated.value;
  registerConfigSecrets(value);

  const problems: PathProblem[] = [...interpolated.problems, ...checkReferences(value)];
  let config: SwitchyardConfig | undefined;
  const parsed = configSchema.safeParse(value);
  if (parsed.success) {
    const resolved = resolveParsedConfig(parsed.data, { baseDirectory: options.sourceName === undefined ? process.cwd() : dirname(resolvePath(options.sourceName)) });
    if (resolved.ok) config = resolved.config;
    else problems.push(...resolved.problems);
  } else {
    problems.push(...describeIssues(parsed.error.issues, value, configSchema));
  }

  const reported = dropEchoes(problems, interpolated.problems);
  if (reported.length > 0 || config === undefined) {
    throw new ConfigError({
      problems: reported.map((problem): ConfigProblem => {
        const line = locate(problem.path, problem.atKey);
        return { path: formatPath(problem.path), message: problem.message, ...(line === undefined ? {} : { line }) };
      }),
      sourceName: options.sourceName,
    });
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
  const failed = interpolationProblems.map((problem) => formatPath(problem.path));
  return problems.filter((problem) => {
    if (interpolationProblems.includes(problem)) return true;
    const path = formatPath(problem.path);
    return !failed.some((prefix) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
  });
}

const SYNTAX_WORDING: Readonly<Record<string, string>> = {
  MULTIPLE_DOCS: 'the file holds more than one YAML document (a "---" line); a config is one document',
  DUPLICATE_KEY: 'a key appears twice in the same mapping',
};

/**
 * One problem per line with a syntax error (the parser often reports several for one mistake).
 * Token text the parser quotes is dropped: it could be part of a secret.
 */
function syntaxProblems(errors: readonly YAMLError[], yamlText: string, lineCounter: LineCounter): ConfigProblem[] {
  const sourceLines = yamlText.split(/\r?\n/);
  const byLine = new Map<number, ConfigProblem>();
  for (const error of errors) {
    const line = lineCounter.linePos(error.pos[0]).line;
    if (byLine.has(line)) continue;
    let message = SYNTAX_WORDING[error.code] ?? (error.message.split('\n')[0] ?? error.code).replace(/: ".{3,}"$/, '');
    if (sourceLines[line - 1]?.includes('${') === true) message += ' (inside { } or [ ], put values using ${...} in quotes)';
    byLine.set(line, { path: 'YAML syntax', message, line });
  }
  return [...byLine.values()];
}

function unresolvedAliasLine(document: Document, lineCounter: LineCounter): number | undefined {
  let line: number | undefined;
  visit(document, {
    Alias(_key, node) {
      if (isAlias(node) && node.resolve(document) === undefined && node.range !== undefined && node.range !== null) {
        line = lineCounter.linePos(node.range[0]).line;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return line;
}
