/**
 * Shared benchmark helpers: start the simulator in a child process, run a fixed number of calls at a
 * given concurrency, and summarise latencies.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** A simulator running in a child process. */
export interface SimulatorProcess {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts `bench/simulator-process.ts` with tsx and waits for its URL. */
export async function startSimulatorProcess(env: Record<string, string> = {}): Promise<SimulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', new URL('./simulator-process.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A benchmark that crashes must not leave its simulator running.
  const killChild = (): void => void child.kill('SIGKILL');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = /READY (\S+)/.exec(buffered);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Latency summary in microseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
}

/** Summarises latencies given in milliseconds, reporting microseconds. */
export function summarise(samplesMs: readonly number[]): LatencySummary {
  const sorted = [...samplesMs].sort((left, right) => left - right);
  const at = (fraction: number): number => (sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? 0) * 1000;
  const mean = (sorted.reduce((sum, value) => sum + value, 0) / Math.max(1, sorted.length)) * 1000;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), mean };
}

/** The middle value of a list (the upper middle for an even length); 0 for an empty list. */
export function median(list: readonly number[]): number {
  return [...list].sort((left, right) => left - right)[Math.floor(list.length / 2)] ?? 0;
}

/**
 * The order in which `count` contenders take their turns in round `round`: every permutation in
 * turn, so that over a multiple of `count!` rounds each contender runs equally often in each
 * position and after each other contender. A fixed order ties a contender to the one before it
 * (whose garbage its run collects) and to its place in the round.
 */
export function roundOrder(round: number, count: number): number[] {
  const orders = permutations(Array.from({ length: count }, (_, index) => index));
  return orders[round % orders.length] ?? [];
}

function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}

/** Runs `total` calls one after another; returns each call's latency in milliseconds. */
export async function sequential(total: number, call: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  for (let index = 0; index < total; index += 1) {
    const started = performance.now();
    await call();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/** Runs `total` calls with `concurrency` workers; returns per-call latencies (ms) and calls per second. */
export async function runLoad(total: number, concurrency: number, call: () => Promise<unknown>): Promise<{ latencies: number[]; perSecond: number }> {
  const latencies: number[] = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        issued += 1;
        const begin = performance.now();
        await call();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, perSecond: total / seconds };
}

/** One line describing the machine, for docs/benchmarks.md. */
export function machineLine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/**
 * Replaces the section between `<!-- name:start -->` and `<!-- name:end -->` of docs/benchmarks.md
 * with `section` (which must carry both markers), or appends it when the file has no such section.
 * Other sections are left as they are.
 */
export function writeDocSection(name: string, section: string): void {
  const path = new URL('../docs/benchmarks.md', import.meta.url).pathname;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  // Without its markers a section could never be found again, and every run would append a copy.
  if (!section.startsWith(start) || !section.trimEnd().endsWith(end)) throw new Error(`section "${name}" must begin with ${start} and end with ${end}`);
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const updated = from >= 0 && to > from ? current.slice(0, from) + section + current.slice(to + end.length) : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, updated);
}

/**
 * The machine's load averages and core count, to state the load conditions of a run (call it before
 * the run starts: afterwards the benchmark's own processes are part of the average).
 */
export function loadLine(): string {
  const [one, five] = loadavg();
  return `load average ${(one ?? 0).toFixed(2)} (1 min) / ${(five ?? 0).toFixed(2)} (5 min) on ${cpus().length} cores`;
}

/** A benchmark helper script running in a child process. */
export interface BenchProcess {
  /** What the script printed after `READY` on its first line (for simulators, their base URL). */
  readonly url: string;
  /** Sends SIGTERM and resolves with everything the script printed after its `READY` line. */
  stop(): Promise<string>;
  /** Sends SIGTERM without waiting (for `process.on('exit')`). */
  kill(): void;
  /** Writes one line to the script's standard input. */
  send(line: string): void;
}

/**
 * Starts a TypeScript script (run with tsx) that prints `READY <url>` once it is listening, such as
 * `bench/resilience-simulator-process.ts`. Its later output is kept and returned by `stop()`.
 */
export async function startBenchProcess(script: URL, env: Record<string, string> = {}): Promise<BenchProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script.pathname], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let buffered = '';
  let afterReady = -1;
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (afterReady >= 0) return;
      const match = /READY (\S+)\n/.exec(buffered);
      if (match?.[1] !== undefined) {
        afterReady = match.index + match[0].length;
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`${script.pathname} exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise<string>((resolve) => {
        if (child.exitCode !== null) {
          resolve(buffered.slice(afterReady));
          return;
        }
        child.once('exit', () => resolve(buffered.slice(afterReady)));
        child.kill('SIGTERM');
      }),
    kill() {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
    send(line) {
      child.stdin?.write(`${line}\n`);
    },
  };
}

/**
 * Bundles `bench/instructions-workload.ts` with esbuild into `bench/<name>` (packages left external,
 * so they resolve from the repository) and returns the bundle's path: the analysis scripts run it
 * under valgrind or V8 flags without a TypeScript loader in the process.
 */
export async function bundleWorkload(name: string): Promise<string> {
  const bundle = fileURLToPath(new URL(`./${name}`, import.meta.url));
  const root = fileURLToPath(new URL('..', import.meta.url));
  await promisify(execFile)('npx', ['esbuild', 'bench/instructions-workload.ts', '--bundle', '--platform=node', '--format=esm', `--outfile=${bundle}`, '--packages=external', '--log-level=warning'], { cwd: root });
  return bundle;
}
