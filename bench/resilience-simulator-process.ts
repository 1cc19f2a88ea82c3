/**
 * The upstream simulator for `bench/resilience.ts`, in its own process: per-model behaviours plus
 * bursts that switch a model to another behaviour on a fixed schedule (an overloaded provider
 * answering 429/529 for a moment). The scenario comes as JSON in `RESILIENCE_SCENARIO`.
 *
 * Prints `READY <url>` when listening. The burst clock starts when a line `GO <epoch ms>` arrives on
 * standard input, at that wall-clock time, so several simulators (one per client under test) run
 * their bursts in step with each other and with the load. On SIGTERM it prints `STATS <json>`
 * (requests and answered statuses per model) and exits.
 */
import { createInterface } from 'node:readline';
import { startSimulator, type SimBehavior } from '../src/testing/simulator.js';

/** A behaviour switched on for `forMs` every `everyMs`, the first time `firstAtMs` after start. */
export interface BurstSchedule {
  readonly model: string;
  readonly everyMs: number;
  readonly forMs: number;
  readonly firstAtMs: number;
  /** The behaviour during a burst (replaces the model's normal behaviour, it is not merged). */
  readonly behavior: SimBehavior;
}

/** What `RESILIENCE_SCENARIO` holds. */
export interface ResilienceScenario {
  readonly seed: number;
  /** Behaviour per model name. */
  readonly models: Readonly<Record<string, SimBehavior>>;
  readonly bursts: readonly BurstSchedule[];
}

/** Requests and answered statuses for one model (`-1` = hung up or never answered). */
export interface ModelStats {
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
}

const scenario = JSON.parse(process.env.RESILIENCE_SCENARIO ?? '{"seed":1,"models":{},"bursts":[]}') as ResilienceScenario;
const simulator = await startSimulator({ seed: scenario.seed, record: true });
for (const [model, behavior] of Object.entries(scenario.models)) simulator.setBehavior(model, behavior);

const timers: NodeJS.Timeout[] = [];
function scheduleBursts(startAt: number): void {
  for (const burst of scenario.bursts) {
    const normal = scenario.models[burst.model] ?? {};
    const startBurst = (): void => {
      simulator.setBehavior(burst.model, burst.behavior);
      timers.push(setTimeout(() => simulator.setBehavior(burst.model, normal), burst.forMs));
    };
    timers.push(
      setTimeout(
        () => {
          startBurst();
          timers.push(setInterval(startBurst, burst.everyMs));
        },
        Math.max(0, startAt + burst.firstAtMs - Date.now()),
      ),
    );
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  const match = /^GO (\d+)$/.exec(line.trim());
  if (match?.[1] !== undefined) scheduleBursts(Number(match[1]));
});

console.log(`READY ${simulator.url}`);

process.on('SIGTERM', () => {
  for (const timer of timers) clearTimeout(timer);
  const stats: Record<string, { requests: number; statuses: Record<string, number> }> = {};
  for (const request of simulator.requests) {
    const entry = (stats[request.model] ??= { requests: 0, statuses: {} });
    entry.requests += 1;
    entry.statuses[String(request.status)] = (entry.statuses[String(request.status)] ?? 0) + 1;
  }
  console.log(`STATS ${JSON.stringify(stats)}`);
  void simulator.close().then(() => process.exit(0));
});
