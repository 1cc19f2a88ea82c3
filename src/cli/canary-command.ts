/**
 * `switchyard canary status|promote|pause|resume|abort|report --config file [--route name]
 * [--svg out.svg] [--json]`: reads and changes canary rollouts from the command line, through the
 * Redis the config's `state.redis` names (the same keys every router process reads). With
 * in-memory state each router process keeps its own rollout, so there is nothing shared for a
 * command to read or change; the command says so and prints the configured plan.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { mergeStepStats, type StepStats } from '../canary/arm-stats.js';
import { buildCanaryStatus } from '../canary/canary-status.js';
import { formatDuration } from '../canary/format.js';
import { createRedisCanaryStore } from '../canary/redis-state-store.js';
import { renderCanaryReport, renderCanarySummary } from '../canary/report-text.js';
import { renderCanarySvg } from '../canary/report-svg.js';
import { changeRollout } from '../canary/rollout-control.js';
import { CanaryControlError, rolloutWeight, type RolloutAction } from '../canary/rollout-state.js';
import { rolloutId } from '../canary/state-store.js';
import { loadConfig } from '../config/index.js';
import type { CanaryConfig, RouteConfig, SwitchyardConfig } from '../config/types.js';
import { redactSecrets } from '../errors.js';

/** Where the command writes. */
export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const ACTIONS = ['status', 'report', 'promote', 'pause', 'resume', 'abort'] as const;
type CanaryAction = (typeof ACTIONS)[number];

const USAGE = `Usage: switchyard canary <status|report|promote|pause|resume|abort> --config <file> [--route <name>] [--svg <out.svg>] [--json]

  status    where the rollout stands: step, weight, decision and why, per-arm numbers
  report    status plus errors by category, the sample-ratio check and every step (--svg writes a chart)
  promote   move to the next step now (completes after the last step)
  pause     stop automatic promotion (rollback checks still run)
  resume    resume a paused rollout, or restart a rolled-back or aborted one at its step
  abort     send all traffic to the baseline

The rollout state is read from and written to the Redis of the config's state.redis; router
processes follow a change within their sync interval (1 s by default).
`;

function describePlan(canary: CanaryConfig): string {
  return canary.steps
    .map((step, index) => {
      const needs = [...(step.minRequests > 0 ? [`≥ ${step.minRequests} candidate calls`] : []), ...(step.minDurationMs > 0 ? [`≥ ${formatDuration(step.minDurationMs)}`] : [])];
      return `  step ${index + 1}: candidate weight ${step.weight}%${needs.length > 0 ? ` (${needs.join(', ')})` : ''}`;
    })
    .join('\n');
}

function safeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(the configured Redis URL)';
  }
}

function chooseRoute(config: SwitchyardConfig, requested: string | undefined): RouteConfig & { canary: CanaryConfig } {
  const canaries = Object.values(config.routes).filter((route): route is RouteConfig & { canary: CanaryConfig } => route.canary !== undefined);
  if (requested !== undefined) {
    const route = config.routes[requested];
    if (route?.canary === undefined) {
      throw new CanaryControlError('unknown-route', `route ${JSON.stringify(requested)} has no canary (routes with one: ${canaries.map((item) => item.name).join(', ') || 'none'})`);
    }
    return route as RouteConfig & { canary: CanaryConfig };
  }
  if (canaries.length === 1) return canaries[0] as RouteConfig & { canary: CanaryConfig };
  if (canaries.length === 0) throw new CanaryControlError('unknown-route', 'no route in the config has a canary');
  throw new CanaryControlError('unknown-route', `several routes have a canary (${canaries.map((item) => item.name).join(', ')}); choose one with --route`);
}

const DONE: Record<RolloutAction, string> = { promote: 'promoted', pause: 'paused', resume: 'resumed', abort: 'aborted', rollback: 'rolled back' };

/**
 * Runs `switchyard canary …` with the arguments after `canary` (a leading `canary` is skipped);
 * resolves with the exit code: 0 done, 1 failed, 2 usage error.
 */
export async function canaryCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv[0] === 'canary' ? argv.slice(1) : [...argv],
      allowPositionals: true,
      options: { config: { type: 'string', short: 'c' }, route: { type: 'string', short: 'r' }, svg: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const action = positionals[0] as CanaryAction | undefined;
  if (action === undefined || !ACTIONS.includes(action) || positionals.length > 1) {
    io.stderr(`${action === undefined ? 'Missing the action.' : `Unknown action ${JSON.stringify(positionals.join(' '))}.`}\n\n${USAGE}`);
    return 2;
  }
  if (values.config === undefined) {
    io.stderr(`Missing --config <file>.\n\n${USAGE}`);
    return 2;
  }
  let config: SwitchyardConfig;
  let route: RouteConfig & { canary: CanaryConfig };
  try {
    config = loadConfig(values.config);
    route = chooseRoute(config, values.route);
  } catch (error) {
    io.stderr(`${redactSecrets(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  }
  const canary = route.canary;
  const redisSettings = config.state.redis;
  if (redisSettings === undefined) {
    io.stderr(
      `The rollout of route "${route.name}" keeps its state in memory inside each router process: ${values.config} does not set state.redis, ` +
        `so there is no shared state for this command to ${action === 'status' || action === 'report' ? 'read' : 'change'}. ` +
        `Each process runs its own rollout from step 1 and a restart starts it over. Set state.redis to share one rollout between processes ` +
        `and to control it from here, or use router.canary(${JSON.stringify(route.name)}) inside the process.\n`,
    );
    io.stdout(`Configured plan for "${route.name}" (${canary.baseline.provider}/${canary.baseline.model} → ${canary.candidate.provider}/${canary.candidate.model}):\n${describePlan(canary)}\n`);
    return 1;
  }

  const redis = new Redis(redisSettings.url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, enableOfflineQueue: false, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    try {
      await redis.connect();
    } catch (error) {
      io.stderr(`Cannot reach Redis at ${safeUrl(redisSettings.url)}: ${redactSecrets(error instanceof Error ? error.message : String(error))}\n`);
      return 1;
    }
    const store = createRedisCanaryStore({ redis, keyPrefix: redisSettings.keyPrefix, timeoutMs: 5_000 });
    const rollout = rolloutId(route.name, canary);
    const now = Date.now();

    if (action === 'status' || action === 'report') {
      const state = await store.read(rollout);
      if (state === undefined) {
        io.stdout(`The rollout of route "${route.name}" has not started: no router process with this baseline, candidate and salt has run against this Redis yet.\nConfigured plan:\n${describePlan(canary)}\n`);
        return 0;
      }
      const statsByEpoch = new Map<number, StepStats>();
      for (const record of state.history) statsByEpoch.set(record.epoch, mergeStepStats([...(await store.readStats(rollout, record.epoch)).values()]));
      const status = buildCanaryStatus({ route: route.name, rollout, canary, state, shared: true, now, statsByEpoch });
      if (values.json === true) io.stdout(`${JSON.stringify(status, null, 2)}\n`);
      else io.stdout(action === 'status' ? renderCanarySummary(status, now) : renderCanaryReport(status, now));
      if (values.svg !== undefined) {
        writeFileSync(values.svg, renderCanarySvg(status));
        io.stderr(`SVG chart written to ${values.svg}\n`);
      }
      return 0;
    }

    const result = await changeRollout(store, rollout, canary, action, { now, reason: `${action} from the command line`, by: 'operator' });
    const state = result.state;
    io.stdout(
      `Route "${route.name}": ${DONE[action]}. Now ${state.state.replace('_', ' ')}, step ${state.step + 1} of ${canary.steps.length}, candidate weight ${rolloutWeight(state, canary)}%. ` +
        `Router processes follow within their sync interval (1 s by default).\n`,
    );
    return 0;
  } catch (error) {
    io.stderr(`${redactSecrets(error instanceof Error ? error.message : String(error))}\n`);
    return 1;
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}
