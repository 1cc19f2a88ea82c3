/**
 * `switchyard canary status|report|promote|pause|resume|abort --config file [--route name] …`:
 * reads and changes canary rollouts from the command line, through the Redis the config's
 * `state.redis` names (the same keys every router process reads). Changes carry who made them and
 * why (`--actor`, `--reason`) into the rollout's decision trail. With in-memory state each router
 * process keeps its own rollout, so there is nothing shared for a command to read or change; the
 * command says so and prints the configured plan.
 */
import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { mergeStepStats, type StepStats } from '../canary/arm-stats.js';
import { buildCanaryStatus } from '../canary/canary-status.js';
import { formatDuration } from '../canary/format.js';
import { createRedisCanaryStore } from '../canary/redis-state-store.js';
import { renderCanaryHtml } from '../canary/report-html.js';
import { renderCanaryReport, renderCanarySummary } from '../canary/report-text.js';
import { renderCanarySvg } from '../canary/report-svg.js';
import { changeRollout } from '../canary/rollout-control.js';
import { CanaryControlError, rolloutWeight } from '../canary/rollout-state.js';
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
type ChangeAction = Exclude<CanaryAction, 'status' | 'report'>;

function isChange(action: CanaryAction): action is ChangeAction {
  return action !== 'status' && action !== 'report';
}

const USAGE = `Usage: switchyard canary <status|report|promote|pause|resume|abort> --config <file> [options]

  status    where the rollout stands: step, weight, decision and why, guards, per-arm numbers, latest decisions
  report    status plus errors by category, the sample-ratio check, every step and the whole decision trail
  promote   move to the next step now (completes after the last step)
  pause     stop automatic promotion (rollback checks still run)
  resume    resume a paused rollout, or restart a rolled-back or aborted one (at step 1, or --step)
  abort     send all traffic to the baseline

Options:
  -c, --config <file>   the Switchyard config (required)
  -r, --route <name>    the canary route (needed when several routes have one)
      --json            status, report: print the status as JSON
      --svg <file>      status, report: write the chart as an SVG file
      --html <file>     status, report: write a self-contained HTML page (chart and report)
      --reason <text>   promote, pause, resume, abort: why; kept in the decision trail
                        (default: "<action> by an operator")
      --actor <name>    promote, pause, resume, abort: who (default: your OS user name, else "operator")
      --step <n>        resume: restart a rolled-back or aborted rollout at step n (1-based; default 1)
  -h, --help            print this help

The rollout state is read from and written to the Redis of the config's state.redis; router
processes follow a change within their sync interval (1 s by default).
`;

/** The operator's name when none is given: the OS user name, else "operator". */
export function defaultActor(): string {
  try {
    const name = userInfo().username.trim();
    return name === '' ? 'operator' : name;
  } catch {
    return 'operator';
  }
}

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

const DONE: Record<ChangeAction, string> = { promote: 'promoted', pause: 'paused', resume: 'resumed', abort: 'aborted' };

function usageError(io: CommandIo, message: string): number {
  io.stderr(`${message}\n\n${USAGE}`);
  return 2;
}

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
      options: {
        config: { type: 'string', short: 'c' },
        route: { type: 'string', short: 'r' },
        svg: { type: 'string' },
        html: { type: 'string' },
        json: { type: 'boolean' },
        reason: { type: 'string' },
        actor: { type: 'string' },
        step: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    return usageError(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help === true || (positionals.length === 1 && positionals[0] === 'help')) {
    io.stdout(USAGE);
    return 0;
  }
  const action = positionals[0] as CanaryAction | undefined;
  if (action === undefined || !ACTIONS.includes(action) || positionals.length > 1) {
    return usageError(io, action === undefined ? 'Missing the action.' : `Unknown action ${JSON.stringify(positionals.join(' '))}.`);
  }
  if (values.config === undefined) return usageError(io, 'Missing --config <file>.');
  const changing = isChange(action);
  for (const option of ['reason', 'actor'] as const) {
    if (values[option] !== undefined && !changing) return usageError(io, `--${option} applies to promote, pause, resume and abort, not to ${action}.`);
    if (values[option] !== undefined && values[option].trim() === '') return usageError(io, `--${option} needs a value.`);
  }
  for (const option of ['svg', 'html', 'json'] as const) {
    if (values[option] !== undefined && changing) return usageError(io, `--${option} applies to status and report, not to ${action}.`);
  }
  let step: number | undefined;
  if (values.step !== undefined) {
    if (action !== 'resume') return usageError(io, `--step applies to resume only, not to ${action}.`);
    if (!/^[1-9][0-9]*$/.test(values.step)) return usageError(io, `--step must be a step number from 1, not ${JSON.stringify(values.step)}.`);
    step = Number(values.step) - 1;
  }
  let config: SwitchyardConfig;
  let route: RouteConfig & { canary: CanaryConfig };
  try {
    config = loadConfig(values.config);
    const hasCanary = Object.values(config.routes).some((candidate) => candidate.canary !== undefined);
    if (!hasCanary && values.route === undefined && !changing) {
      io.stdout(`No route in ${values.config} has a canary: there is no rollout to ${action === 'status' ? 'show' : 'report on'}.\n`);
      return 0;
    }
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
        `so there is no shared state for this command to ${changing ? 'change' : 'read'}. ` +
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

    if (!changing) {
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
      if (values.html !== undefined) {
        writeFileSync(values.html, renderCanaryHtml(status, now));
        io.stderr(`HTML report written to ${values.html}\n`);
      }
      return 0;
    }

    const reason = values.reason?.trim() ?? `${action} by an operator`;
    const actor = values.actor?.trim() ?? defaultActor();
    const result = await changeRollout(store, rollout, canary, action, { now, reason, by: 'operator', actor, ...(step === undefined ? {} : { step }) });
    const state = result.state;
    io.stdout(
      `Route "${route.name}": ${DONE[action]} by ${actor} (${reason}). Now ${state.state.replace('_', ' ')}, step ${state.step + 1} of ${canary.steps.length}, candidate weight ${rolloutWeight(state, canary)}%. ` +
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
