/**
 * `switchyard validate <config>`: checks a config file the way `loadConfig` does and lists every
 * problem with its YAML path and line, then warnings and notes about a config that loads but may
 * not do what was meant (relative weights, providers without a key, providers nothing uses).
 * Exit codes for CI: 0 valid (warnings allowed), 1 invalid, 2 usage mistake.
 *
 * An unset `${VAR}` is a problem (the config would not load in this environment), reported with
 * the path that uses it; `--allow-unset-env` turns those into warnings, for a CI job that checks
 * files without holding the secrets. Values are never printed, so no key can leak.
 */
import { ConfigError, formatProblem, type ConfigProblem } from '../config/config-error.js';
import { providerTypeSchema } from '../config/schema.js';
import type { SwitchyardConfig } from '../config/types.js';
import { createLineFinder, loadForInspection, parseConfigCommand, percent, unsetVariableOf, type CommandIo, type ConfigCommandOptions } from './config-support.js';

const USAGE = `Usage: switchyard validate <config.yaml> [options]

Checks a config file and lists every problem with its YAML path and line, then warnings and notes
(weights that do not add up to 100 are relative: the note shows the resulting shares).

Options:
      --allow-unset-env   report unset \${VAR}s as warnings instead of problems (CI without secrets)
      --json              print { valid, problems, warnings } as JSON
  -h, --help              print this help

Exit codes: 0 valid (possibly with warnings), 1 invalid, 2 usage mistake.
`;

/** A finding of `validate`: an error makes the config invalid; warnings and notes do not. */
export interface ValidationFinding {
  readonly severity: 'error' | 'warning' | 'note';
  readonly path: string;
  readonly message: string;
  readonly line?: number;
}

/** Provider types that authenticate with a key (an OpenAI-compatible server may need none). */
const KEYED_TYPES = new Set(['anthropic', 'openai', 'azure-openai', 'gemini']);

/** Warnings and notes about a config that loads. */
export function configWarnings(config: SwitchyardConfig, lineOf: (path: readonly (string | number)[]) => number | undefined): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const at = (path: readonly (string | number)[]): { line?: number } => {
    const line = lineOf(path);
    return line === undefined ? {} : { line };
  };
  const builtInTypes: ReadonlySet<string> = new Set(providerTypeSchema.options);
  for (const provider of Object.values(config.providers)) {
    if (!builtInTypes.has(provider.type)) {
      // Only the program that creates the router knows its factories: a file cannot be refused for this.
      findings.push({
        severity: 'note',
        path: `providers.${provider.id}.type`,
        message: `custom type '${provider.type}': the program must register an adapter factory for it, createRouter(config, { providers: { '${provider.type}': … } }); validate cannot check that`,
        ...at(['providers', provider.id, 'type']),
      });
    }
    if (KEYED_TYPES.has(provider.type) && (provider.apiKey === undefined || provider.apiKey === '')) {
      findings.push({
        severity: 'warning',
        path: `providers.${provider.id}.apiKey`,
        message: `no API key: calls to ${provider.id} (${provider.type}) will fail with auth`,
        ...at(['providers', provider.id]),
      });
    }
  }
  const used = new Set<string>();
  for (const route of Object.values(config.routes)) {
    for (const target of route.targets) used.add(target.provider);
    if (route.canary !== undefined) {
      used.add(route.canary.baseline.provider);
      used.add(route.canary.candidate.provider);
      continue;
    }
    if (route.targets.length < 2) continue;
    const total = route.targets.reduce((sum, target) => sum + target.weight, 0);
    if (Math.abs(total - 100) < 1e-9) continue;
    const shares = route.targets.map((target) => `${target.provider}/${target.model} ${percent(total > 0 ? target.weight / total : 0)}`).join(', ');
    findings.push({
      severity: 'note',
      path: `routes.${route.name}.targets`,
      message: `the weights add up to ${round(total)}, not 100; they are relative, so the shares are: ${shares}`,
      ...at(['routes', route.name, 'targets']),
    });
  }
  if (!config.allowDirect) {
    for (const id of Object.keys(config.providers)) {
      if (!used.has(id)) findings.push({ severity: 'warning', path: `providers.${id}`, message: 'no route uses this provider and allowDirect is false: it can never be called', ...at(['providers', id]) });
    }
  }
  return findings;
}

function round(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

function fromProblem(problem: ConfigProblem, severity: ValidationFinding['severity']): ValidationFinding {
  return { severity, path: problem.path, message: problem.message, ...(problem.line === undefined ? {} : { line: problem.line }) };
}

function formatFinding(finding: ValidationFinding): string {
  const label = finding.severity === 'error' ? 'error  ' : finding.severity === 'warning' ? 'warning' : 'note   ';
  return `  ${label} ${formatProblem(finding)}`;
}

/**
 * Runs `switchyard validate …` with the arguments after `validate`; resolves with the exit code:
 * 0 valid, 1 invalid, 2 usage mistake.
 */
export async function validateCommand(argv: readonly string[], io: CommandIo, options: ConfigCommandOptions = {}): Promise<number> {
  const parsed = parseConfigCommand(argv, io, USAGE, { 'allow-unset-env': { type: 'boolean' }, json: { type: 'boolean' } }, ': validate checks one file at a time');
  if (typeof parsed === 'number') return parsed;
  const { file } = parsed;
  const allowUnset = parsed.values['allow-unset-env'] === true;

  const findings: ValidationFinding[] = [];
  let omitted = 0;
  try {
    const { config, unset } = loadForInspection(file, options.env ?? process.env);
    for (const problem of unset) findings.push(fromProblem(problem, allowUnset ? 'warning' : 'error'));
    findings.push(...configWarnings(config, createLineFinder(file)));
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    findings.push(...error.problems.map((problem) => fromProblem(problem, allowUnset && unsetVariableOf(problem) !== undefined ? 'warning' : 'error')));
    omitted = error.omittedProblems;
  }

  const errors = findings.filter((finding) => finding.severity === 'error');
  const valid = errors.length === 0;
  if (parsed.values.json === true) {
    io.stdout(`${JSON.stringify({ file, valid, problems: errors, omittedProblems: omitted, warnings: findings.filter((finding) => finding.severity !== 'error') }, null, 2)}\n`);
    return valid ? 0 : 1;
  }
  const others = findings.length - errors.length;
  const counts = [
    ...(errors.length > 0 ? [`${errors.length + omitted} ${errors.length + omitted === 1 ? 'problem' : 'problems'}`] : []),
    ...(others > 0 ? [`${others} ${others === 1 ? 'warning or note' : 'warnings and notes'}`] : []),
  ];
  const headline = `${file}: ${valid ? 'valid' : 'invalid'}${counts.length > 0 ? ` (${counts.join(', ')})` : ''}`;
  const lines = [headline, ...findings.map(formatFinding), ...(omitted > 0 ? [`  … and ${omitted} more problems`] : [])];
  if (!valid && findings.some((finding) => finding.severity === 'error' && unsetVariableOf(finding) !== undefined)) {
    lines.push('', 'Unset variables make the config fail to load here; set them, or pass --allow-unset-env to check the rest without them.');
  }
  (valid ? io.stdout : io.stderr)(`${lines.join('\n')}\n`);
  return valid ? 0 : 1;
}
