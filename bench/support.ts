/**
 * Shared benchmark helpers: start the simulator in a child process, run a fixed number of calls at a
 * given concurrency, and summarise latencies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';

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
