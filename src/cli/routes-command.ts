/**
 * `switchyard routes <config>`: every route with its targets, weights and shares, canary steps,
 * stickiness, fallbacks and policies, as they are after defaults and the merge of route policies
 * over the global ones (what a router really runs on).
 */
import { formatDuration } from '../config/duration.js';
import { ConfigError } from '../config/config-error.js';
import type { LimitSpec, Policies, RouteConfig, SwitchyardConfig } from '../config/types.js';
import { loadForInspection, parseConfigCommand, percent, table, unsetVariableOf, type CommandIo, type ConfigCommandOptions } from './config-support.js';

const USAGE = `Usage: switchyard routes <config.yaml> [--json]

Lists every route: targets with weights and shares, canary steps, stickiness, fallbacks, and the
policies after defaults are applied and route overrides merged over the global ones.

Options:
      --json       print the resolved routes as JSON
  -h, --help       print this help

Exit codes: 0 listed, 1 invalid config, 2 usage mistake.
`;

function limits(spec: LimitSpec | undefined): string | undefined {
  if (spec === undefined) return undefined;
  const parts = (['rps', 'rpm', 'concurrency', 'tpm'] as const).filter((key) => (spec[key] ?? 0) > 0).map((key) => `${key} ${spec[key]}`);
  return parts.length === 0 ? undefined : parts.join(', ');
}

/** The policies of a route in a few lines. */
export function describePolicies(policies: Policies): string[] {
  const { timeout, retry, breaker, rateLimit, cache } = policies;
  const duration = (milliseconds: number): string => (milliseconds === 0 ? 'off' : formatDuration(milliseconds));
  const lines = [
    `timeout   connect ${duration(timeout.connectMs)}, first byte ${duration(timeout.firstByteMs)}, idle ${duration(timeout.idleMs)}, total ${duration(timeout.totalMs)}`,
    `retry     ${retry.attempts} ${retry.attempts === 1 ? 'attempt' : 'attempts'}, ${formatDuration(retry.minDelayMs)}–${formatDuration(retry.maxDelayMs)} ×${retry.factor} (${retry.jitter} jitter), on ${retry.on.join(', ') || 'nothing'}, budget ${percent(retry.budget)}`,
    breaker.enabled
      ? `breaker   opens at ${percent(breaker.errorRate)} errors (≥ ${breaker.minRequests} calls in ${formatDuration(breaker.windowMs)}), open ${formatDuration(breaker.openForMs)}, ${breaker.halfOpenProbes} ${breaker.halfOpenProbes === 1 ? 'probe' : 'probes'}`
      : 'breaker   off',
  ];
  if (rateLimit === undefined) lines.push('rateLimit off');
  else {
    const scopes = (['global', 'perUser', 'perTenant'] as const).flatMap((scope) => {
      const text = limits(rateLimit[scope]);
      return text === undefined ? [] : [`${scope} ${text}`];
    });
    lines.push(`rateLimit ${scopes.join('; ') || 'no limit set'}; wait up to ${formatDuration(rateLimit.waitMs)}`);
  }
  lines.push(cache === undefined ? 'cache     off' : `cache     ttl ${formatDuration(cache.ttlMs)}, prefix ${JSON.stringify(cache.keyPrefix)}, ${cache.maxEntries} entries${cache.perUser ? ', per user' : ''}${cache.cacheSampled ? ', sampled answers too' : ''}`);
  return lines;
}

function describeRoute(route: RouteConfig): string {
  const lines = [route.name];
  if (route.canary === undefined) {
    const total = route.targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
    lines.push(
      table(
        [['target', 'weight', 'share'], ...route.targets.map((target) => [`${target.provider}/${target.model}`, String(target.weight), percent(total > 0 ? Math.max(0, target.weight) / total : 0)])],
        '  ',
      ),
    );
  } else {
    const { canary } = route;
    lines.push(`  canary    baseline ${canary.baseline.provider}/${canary.baseline.model} → candidate ${canary.candidate.provider}/${canary.candidate.model} (sticky: ${canary.sticky})`);
    lines.push(
      table(
        [
          ['step', 'candidate', 'min calls', 'min time', 'approval'],
          ...canary.steps.map((step, index) => [String(index + 1), `${step.weight}%`, String(step.minRequests), step.minDurationMs === 0 ? '-' : formatDuration(step.minDurationMs), step.approval]),
        ],
        '    ',
      ),
    );
  }
  lines.push(`  sticky    ${route.sticky}`);
  lines.push(`  fallbacks ${route.fallbacks.length === 0 ? '(none)' : route.fallbacks.join(' → ')}`);
  lines.push(...describePolicies(route.policies).map((line) => `  ${line}`));
  return lines.join('\n');
}

/** The route table of a config, as `switchyard routes` prints it. */
export function describeRoutes(config: SwitchyardConfig): string {
  const routes = Object.values(config.routes);
  const parts = routes.length === 0 ? ['(no routes)'] : routes.map(describeRoute);
  const providers = Object.values(config.providers).map((provider) => `${provider.id} (${provider.type})`).join(', ');
  const footer = [`providers: ${providers}`, `direct calls (provider/model): ${config.allowDirect ? 'allowed' : 'not allowed'}`];
  return `${[...parts, footer.join('\n')].join('\n\n')}\n`;
}

/**
 * Runs `switchyard routes …` with the arguments after `routes`; resolves with the exit code:
 * 0 listed, 1 invalid config, 2 usage mistake.
 */
export async function routesCommand(argv: readonly string[], io: CommandIo, options: ConfigCommandOptions = {}): Promise<number> {
  const parsed = parseConfigCommand(argv, io, USAGE, { json: { type: 'boolean' } });
  if (typeof parsed === 'number') return parsed;
  const { file } = parsed;
  let inspected;
  try {
    inspected = loadForInspection(file, options.env ?? process.env);
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    io.stderr(`${error.message}\n`);
    return 1;
  }
  const { config } = inspected;
  if (parsed.values.json === true) io.stdout(`${JSON.stringify(Object.values(config.routes), (key, value: unknown) => (key === 'secret' ? '[redacted]' : value), 2)}\n`);
  else io.stdout(describeRoutes(config));
  if (inspected.unset.length > 0) {
    io.stderr(`note: unset variables given placeholders (the routes need no keys): ${[...new Set(inspected.unset.map(unsetVariableOf))].join(', ')}\n`);
  }
  return 0;
}
