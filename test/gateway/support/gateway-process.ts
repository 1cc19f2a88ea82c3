/**
 * A gateway running as its own process, the way an operator runs it: `switchyard serve` from this
 * checkout's sources (`node --import tsx src/cli/main.ts serve`), on a free port. Multi-instance
 * tests start several, kill them with real signals, and read what they printed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const LISTENING = /switchyard gateway listening on (http:\/\/\S+)/;

/** How a gateway process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running `switchyard serve` process. */
export interface GatewayProcess {
  readonly name: string;
  /** Its base URL, `http://127.0.0.1:<port>`, as it printed it. */
  readonly url: string;
  readonly pid: number;
  /** Resolves when the process has ended. */
  readonly exited: Promise<ProcessExit>;
  /** What it wrote so far, stdout (access log) and stderr interleaved. */
  output(): string;
  /** Sends a signal (once the process has ended: does nothing). */
  signal(signal: NodeJS.Signals): void;
}

/** Options of `startGatewayProcess`. */
export interface GatewayProcessOptions {
  /** A label for messages (`A`, `B`). */
  readonly name: string;
  readonly configFile: string;
  /** Added to this process's environment (values the config interpolates). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long it may take to print its address. @default 30_000 */
  readonly startTimeoutMs?: number;
}

/** Starts `switchyard serve --config <file> --port 0` and resolves once it listens. */
export function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', options.configFile, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stdout.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop(child);
      reject(new Error(`gateway ${options.name} did not print its address within ${timeoutMs} ms; it wrote:\n${output}`));
    }, timeoutMs);
    const onData = (): void => {
      const match = LISTENING.exec(output);
      if (match?.[1] === undefined || child.pid === undefined) return;
      clearTimeout(timer);
      child.stderr.off('data', onData);
      resolve({
        name: options.name,
        url: match[1],
        pid: child.pid,
        exited,
        output: () => output,
        signal: (signal) => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        },
      });
    };
    child.stderr.on('data', onData);
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`gateway ${options.name} exited (code ${exit.code}, signal ${exit.signal}) before listening; it wrote:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
