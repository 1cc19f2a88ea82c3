/**
 * `switchyard explain <config> --route R [--user U] [--tenant T]`: the target a caller would get and
 * why (`router.explain()`), every candidate with its share, and the fallback chain. The router is
 * built without shared state, audit, metrics or tracing, so nothing connects anywhere: a canary is
 * shown at its first step, as a fresh router without Redis would route it (`switchyard canary
 * status` reads the live step).
 */
import { ConfigError } from '../config/config-error.js';
import type { SwitchyardConfig } from '../config/types.js';
import { createRouter } from '../create-router.js';
import { SwitchyardError } from '../errors.js';
import type { RouteExplanation } from '../router/router.js';
import { loadForInspection, parseConfigCommand, percent, table, unsetVariableOf, usageError, type CommandIo, type ConfigCommandOptions } from './config-support.js';

const USAGE = `Usage: switchyard explain <config.yaml> --route <name> [--user <id>] [--tenant <id>] [--json]

Tells which target a caller would get and why, every candidate with its share of traffic, and the
fallback chain. Nothing is called and nothing connects: a canary route is shown at its first step
(use "switchyard canary status" for the live step).

Options:
  -r, --route <name>    the route, or provider/model when direct calls are allowed (required)
  -u, --user <id>       the caller's user id (sticky: user)
  -t, --tenant <id>     the caller's tenant (sticky: tenant)
      --json            print the explanation as JSON
  -h, --help            print this help

Exit codes: 0 explained, 1 invalid config or unknown route, 2 usage mistake.
`;

/** Explains a route of a loaded config without any network; the router is closed before returning. */
export async function explainRoute(config: SwitchyardConfig, route: string, who: { user?: string; tenant?: string }): Promise<RouteExplanation> {
  const offline: SwitchyardConfig = { ...config, state: {}, metrics: { ...config.metrics, enabled: false } };
  delete (offline as { audit?: unknown }).audit;
  const router = createRouter(offline, { tracing: false, logger: () => undefined });
  try {
    // In memory the canary's rollout state is there at once; without waiting it reads as not loaded yet.
    await router.ready();
    return router.explain(route, who);
  } finally {
    await router.close();
  }
}

function describe(explanation: RouteExplanation, config: SwitchyardConfig, who: { user?: string; tenant?: string }): string {
  const lines: string[] = [];
  const target = explanation.target === undefined ? (explanation.candidates.length > 0 ? '(drawn per call by weight)' : '(no target available)') : `${explanation.target.provider}/${explanation.target.model}`;
  const caller = [who.user === undefined ? undefined : `user ${JSON.stringify(who.user)}`, who.tenant === undefined ? undefined : `tenant ${JSON.stringify(who.tenant)}`].filter(Boolean).join(', ');
  lines.push(`route ${explanation.route}${caller === '' ? '' : ` for ${caller}`} → ${target}`);
  lines.push(`  why: ${explanation.reason}${explanation.stickyKey === undefined ? '' : ` (sticky key ${JSON.stringify(explanation.stickyKey)})`}`);
  const route = config.routes[explanation.route];
  if (explanation.reason === 'weighted-random') {
    const sticky = route?.sticky ?? 'none';
    lines.push(`  note: a weighted-random pick per call${sticky === 'none' ? '' : `; give --${sticky} to see the sticky choice`}: another call may get another target`);
  }
  if (route?.canary !== undefined) lines.push('  note: canary shown at its first step (a fresh router without shared state); "switchyard canary status" shows the live step');
  lines.push('', 'candidates:');
  lines.push(
    table(
      [
        ['target', 'weight', 'share', ...(explanation.stickyKey === undefined ? [] : ['score'])],
        ...explanation.candidates.map((candidate) => [
          `${candidate.provider}/${candidate.model}`,
          String(candidate.weight),
          percent(candidate.share),
          ...(candidate.score === undefined ? [] : [candidate.score.toFixed(4)]),
        ]),
      ],
      '  ',
    ),
  );
  lines.push('', 'fallback chain (tried in order when this route cannot answer):');
  if (explanation.fallbacks.length === 0) lines.push('  (none)');
  explanation.fallbacks.forEach((name, index) => {
    const targets = config.routes[name]?.targets.map((item) => `${item.provider}/${item.model}`).join(', ') ?? '?';
    lines.push(`  ${index + 1}. ${name} → ${targets}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `switchyard explain …` with the arguments after `explain`; resolves with the exit code:
 * 0 explained, 1 invalid config or unknown route, 2 usage mistake.
 */
export async function explainCommand(argv: readonly string[], io: CommandIo, options: ConfigCommandOptions = {}): Promise<number> {
  const parsed = parseConfigCommand(argv, io, USAGE, {
    route: { type: 'string', short: 'r' },
    user: { type: 'string', short: 'u' },
    tenant: { type: 'string', short: 't' },
    json: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { file } = parsed;
  const route = parsed.values.route;
  if (typeof route !== 'string' || route === '') return usageError(io, USAGE, 'Missing --route.');
  const who = {
    ...(typeof parsed.values.user === 'string' ? { user: parsed.values.user } : {}),
    ...(typeof parsed.values.tenant === 'string' ? { tenant: parsed.values.tenant } : {}),
  };

  let inspected;
  try {
    inspected = loadForInspection(file, options.env ?? process.env);
  } catch (error) {
    if (!ConfigError.isConfigError(error)) throw error;
    io.stderr(`${error.message}\n(run "switchyard validate ${file}" for warnings too)\n`);
    return 1;
  }
  let explanation: RouteExplanation;
  try {
    explanation = await explainRoute(inspected.config, route, who);
  } catch (error) {
    if (!SwitchyardError.isInstance(error)) throw error;
    io.stderr(`switchyard explain: ${error.message}\n`);
    return 1;
  }
  if (parsed.values.json === true) {
    io.stdout(`${JSON.stringify(explanation, null, 2)}\n`);
    return 0;
  }
  io.stdout(describe(explanation, inspected.config, who));
  if (inspected.unset.length > 0) {
    const names = [...new Set(inspected.unset.map((problem) => unsetVariableOf(problem)))].join(', ');
    io.stderr(`note: unset variables given placeholders (routing needs no keys): ${names}\n`);
  }
  return 0;
}
