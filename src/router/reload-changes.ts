/**
 * What a reload changes: the summary the `config-reloaded` event and `router.reload()` report
 * (providers and routes added, removed or changed; other top-level sections changed), and the
 * changes a reload refuses because they belong to resources a process opens once (the Redis
 * connection, the audit log, the metric names).
 */
import { LineCounter } from 'yaml';
import { ConfigError, formatPath, type ConfigProblem, type PathProblem, type PathSegment } from '../config/config-error.js';
import type { SwitchyardConfig } from '../config/types.js';
import { createYamlLocator, type Locator } from '../config/yaml-locator.js';
import { parseYaml } from '../config/parse-yaml.js';
import { settingsHash } from './reload-identity.js';

/** Names added, removed and changed between two configs. */
export interface ChangeList {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** What changed between the config a router ran on and the one it reloaded. */
export interface ConfigChanges {
  /** Providers by id; a changed one (any setting, its key included) gets a new adapter, pool and breakers. */
  readonly providers: ChangeList;
  /** Routes by name; a changed one gets a new canary run (its rollout state is read back from the store). */
  readonly routes: ChangeList;
  /** Other top-level sections that changed (`pricing`, `filters`, `allowDirect`, `gateway`, `policies`...). */
  readonly sections: readonly string[];
}

/** The answer of `router.reload()`, also the payload of the `config-reloaded` event. */
export interface ConfigReloaded {
  /** The version hash of the config served before. */
  readonly from: string;
  /** The version hash of the config served now. */
  readonly to: string;
  readonly changes: ConfigChanges;
}

function diffRecords(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): ChangeList {
  const added: string[] = [];
  const removed: string[] = [];
  const changed: string[] = [];
  for (const name of Object.keys(after)) {
    if (!Object.hasOwn(before, name)) added.push(name);
    else if (settingsHash(before[name]) !== settingsHash(after[name])) changed.push(name);
  }
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) removed.push(name);
  return { added, removed, changed };
}

/** Compares two resolved configs. */
export function diffConfigs(before: SwitchyardConfig, after: SwitchyardConfig): ConfigChanges {
  const sections = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const skipped of ['providers', 'routes', 'versionHash']) sections.delete(skipped);
  const record = (config: SwitchyardConfig, key: string): unknown => (config as unknown as Record<string, unknown>)[key];
  return {
    providers: diffRecords(before.providers, after.providers),
    routes: diffRecords(before.routes, after.routes),
    sections: [...sections].filter((key) => settingsHash(record(before, key)) !== settingsHash(record(after, key))).sort(),
  };
}

/** Most leaf paths named for one refused section (the rest are summed up by the section's own path). */
const MAX_PATHS = 10;

/** The deepest paths at which `before` and `after` differ (an added or removed key counts as a difference at that key). */
export function changedPaths(before: unknown, after: unknown, path: readonly PathSegment[] = []): PathSegment[][] {
  if (settingsHash(before) === settingsHash(after)) return [];
  const bothObjects = typeof before === 'object' && before !== null && typeof after === 'object' && after !== null && Array.isArray(before) === Array.isArray(after);
  if (!bothObjects) return [[...path]];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const paths: PathSegment[][] = [];
  for (const key of keys) {
    const segment: PathSegment = Array.isArray(before) ? Number(key) : key;
    paths.push(...changedPaths((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], [...path, segment]));
    if (paths.length > MAX_PATHS) return [[...path]];
  }
  return paths;
}

/**
 * Sections of the config a running router cannot change: the shared-state connection (`state`),
 * the audit log and its hash chain (`audit`), and the metric names on the registry (`metrics`).
 */
export const RESTART_ONLY_SECTIONS = ['state', 'audit', 'metrics'] as const;

/**
 * A resolved config's key as the YAML spells it: durations and sizes resolve to `…Ms` and `…Bytes`
 * (`timeouts.headersMs` is written `timeouts.headers`, `bodyLimitBytes` is `bodyLimit`).
 */
function yamlSegment(segment: PathSegment): PathSegment {
  return typeof segment === 'string' ? segment.replace(/(?<=.)(Ms|Bytes)$/, '') : segment;
}

/** A path into a resolved config, formatted as the YAML key path (`gateway.timeouts.headers`). */
export function displayPath(path: readonly PathSegment[]): string {
  return formatPath(path.map(yamlSegment));
}

/** The problems of a reload that changes a restart-only part of the config, one per changed path. */
export function restartOnlyProblems(before: unknown, after: unknown, sectionPaths: readonly (readonly PathSegment[])[]): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const sectionPath of sectionPaths) {
    const valueAt = (root: unknown): unknown => sectionPath.reduce<unknown>((node, segment) => (typeof node === 'object' && node !== null ? (node as Record<PathSegment, unknown>)[segment] : undefined), root);
    for (const path of changedPaths(valueAt(before), valueAt(after), sectionPath)) {
      problems.push({ path: path.map(yamlSegment), message: `changed, but ${displayPath(sectionPath)} cannot change while the process runs: restart it to apply this (the config in use is unchanged)` });
    }
  }
  return problems;
}

/** The router's own restart-only problems between two configs. */
export function routerRestartProblems(before: SwitchyardConfig, after: SwitchyardConfig): PathProblem[] {
  return restartOnlyProblems(before, after, RESTART_ONLY_SECTIONS.map((section) => [section]));
}

/** Gives problems the line of their path in `yamlText` (when the config came from YAML). */
export function locateProblems(problems: readonly PathProblem[], yamlText: string | undefined): ConfigProblem[] {
  let locate: Locator | undefined;
  if (yamlText !== undefined) {
    const lineCounter = new LineCounter();
    const parsed = parseYaml(yamlText, lineCounter);
    if ('document' in parsed) locate = createYamlLocator(parsed.document, lineCounter, new Map());
  }
  return problems.map((problem) => {
    const line = locate?.(problem.path, problem.atKey);
    return { path: formatPath(problem.path), message: problem.message, ...(line === undefined ? {} : { line }) };
  });
}

/** The error of a refused reload: a `ConfigError` listing what cannot change, by path (and line). */
export function reloadRefused(problems: readonly ConfigProblem[], sourceName: string | undefined): ConfigError {
  return new ConfigError({ problems, sourceName: sourceName ?? 'the reloaded config' });
}
