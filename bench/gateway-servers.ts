/**
 * The servers `bench/gateway.ts` puts between its load generator and the simulator, each in its
 * own process so that its CPU and memory are read apart from the load generator's: Switchyard's
 * gateway (`switchyard serve`, bundled from a source tree), the forwarder floors
 * (`bench/gateway-forwarder-process.ts`) and the Portkey gateway (an install outside the
 * repository). Also how a process's CPU time and resident memory are read (Linux `/proc`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** A server under test, running in a child process. */
export interface ServerProcess {
  readonly name: string;
  /** Its origin, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly pid: number;
  /** Sends SIGTERM and resolves when the process has exited. */
  stop(): Promise<void>;
}

/** Options of `startServerProcess`. */
export interface StartOptions {
  readonly name: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** How the URL is found in what the process prints (its first group). */
  readonly ready: RegExp;
  /** Where the process's standard output goes once it is ready: a file (an access log), or nowhere. */
  readonly stdoutFile?: string;
  /** A URL known in advance (the process prints none): the process is ready when it accepts connections. */
  readonly knownUrl?: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Starts `node <args>` and resolves once it printed its URL (stdout or stderr) or accepts connections. */
export async function startServerProcess(options: StartOptions): Promise<ServerProcess> {
  const stdoutFd = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [...options.args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...options.env },
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
  });
  if (stdoutFd !== undefined) closeSync(stdoutFd);
  // A benchmark that crashes must not leave its servers running.
  const killChild = (): void => void child.kill('SIGKILL');
  process.once('exit', killChild);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => process.off('exit', killChild));
  let printed = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start within 60 s; it printed:\n${printed.slice(-2_000)}`)), 60_000);
    const look = (chunk: Buffer): void => {
      // Drained for as long as the process runs: a full pipe would stop it.
      if (printed.length < 100_000) printed += chunk.toString();
      const match = options.knownUrl === undefined ? options.ready.exec(printed) : null;
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    void exited.then(() => reject(new Error(`${options.name} exited before it was ready; it printed:\n${printed.slice(-2_000)}`)));
    if (options.knownUrl !== undefined) {
      const knownUrl = options.knownUrl;
      void waitUntilAccepting(knownUrl, 60_000).then(() => {
        clearTimeout(timer);
        resolve(knownUrl);
      }, reject);
    }
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.name} has no pid`);
  return {
    name: options.name,
    url,
    pid,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitUntilAccepting(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(`${url}/`, { method: 'GET' });
      await response.arrayBuffer();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A TCP port free right now on 127.0.0.1 (for servers that cannot be told to pick one). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Bundles a TypeScript entry of the source tree `root` with esbuild into `root/.build-gateway-bench/`
 * (packages left external, so they resolve from that tree's node_modules) and returns its path:
 * the servers run as built JavaScript, as `switchyard serve` runs from the package, without a
 * TypeScript loader in the process.
 */
export async function bundle(root: string, entry: string, name: string): Promise<string> {
  const outfile = join(root, '.build-gateway-bench', name);
  await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'esbuild'), [entry, '--bundle', '--platform=node', '--format=esm', `--outfile=${outfile}`, '--packages=external', '--log-level=warning'], { cwd: root });
  return outfile;
}

/** A virtual key as `switchyard keys create` makes them: `sy-` and 43 random characters. */
export function newVirtualKey(): string {
  return `sy-${randomBytes(48).toString('base64url').replace(/[-_]/g, '').slice(0, 43)}`;
}

/** The keys of the benchmark's gateway. */
export interface GatewayKeys {
  /** A key with a finite (large) token quota: every call reserves and settles in the store. */
  readonly finite: string;
  /** A key without a quota: reserve answers from memory, settle writes the ledger. */
  readonly unlimited: string;
}

/** Options of `startSwitchyardGateway`. */
export interface SwitchyardGatewayOptions {
  readonly name: string;
  /** The source tree whose `src/cli/main.ts` is bundled and run (this checkout, or a copy with a change). */
  readonly root: string;
  /** Run `src/cli/main.ts` through tsx instead of a bundle. */
  readonly sources?: boolean;
  readonly simulatorUrl: string;
  /** Folder for the config, the SQLite store and the access log. */
  readonly directory: string;
  readonly keys: GatewayKeys;
  /** The model whose streams stay open (route `slow`). */
  readonly slowModel: string;
  /** Extra node flags (`--cpu-prof`, …). */
  readonly nodeFlags?: readonly string[];
  /** The access log's format, or `silent` for none. @default json */
  readonly log?: 'json' | 'pretty' | 'silent';
  /** prom-client's process metrics on /metrics (heap in use, for the memory test). @default false */
  readonly processMetrics?: boolean;
}

/**
 * The gateway's config: routes `chat` and `slow` to the simulator's OpenAI endpoint with the whole
 * pipeline of `bench/overhead.ts` (timeouts, retry, breaker, three rate limits with room to spare,
 * a cache that misses every call since every question differs), the embedded SQLite store, JSON
 * access log, metrics on (the default), and two keys.
 */
export function gatewayConfig(options: { simulatorUrl: string; storeFile: string; slowModel: string; log: 'json' | 'pretty' | 'silent'; processMetrics?: boolean }): string {
  return `providers:
  sim:
    type: openai
    apiKey: sim-key
    baseUrl: ${JSON.stringify(`${options.simulatorUrl}/v1`)}
    pool: { connections: 1100, keepAliveTimeout: 300s }
routes:
  chat: { targets: [{ provider: sim, model: gpt-4o }] }
  slow: { targets: [{ provider: sim, model: ${JSON.stringify(options.slowModel)} }] }
policies:
  timeout: { connect: 5s, firstByte: 30s, idle: 30s, total: 120s }
  retry: { attempts: 3, minDelay: 2s, maxDelay: 10s }
  breaker: { errorRate: 0.15, minRequests: 20, window: 60s, openFor: 30s }
  rateLimit: { global: { rps: 1000000 }, perUser: { concurrency: 10000 }, perTenant: { rpm: 100000000 } }
  cache: { ttl: 600s, keyPrefix: "chat:", maxEntries: 10000 }
metrics: { processMetrics: ${options.processMetrics === true} }
gateway:
  host: 127.0.0.1
  port: 0
  store: { url: ${JSON.stringify(`sqlite:${options.storeFile}`)} }
  log: { level: ${options.log === 'silent' ? 'silent' : 'info'}, format: ${options.log === 'pretty' ? 'pretty' : 'json'} }
  keys:
    - { name: bench-finite, key: "\${BENCH_FINITE_KEY}", tenant: bench, quota: { tokens: 1000000000000000 } }
    - { name: bench-unlimited, key: "\${BENCH_UNLIMITED_KEY}", tenant: bench }
`;
}

/** Starts `switchyard serve` on a config made by `gatewayConfig`, its access log going to a file in `directory`. */
export async function startSwitchyardGateway(options: SwitchyardGatewayOptions): Promise<ServerProcess & { readonly accessLog: string }> {
  const slug = options.name.replace(/[^\w-]+/g, '-');
  const configFile = join(options.directory, `${slug}.yaml`);
  const accessLog = join(options.directory, `${slug}-access.log`);
  writeFileSync(configFile, gatewayConfig({ simulatorUrl: options.simulatorUrl, storeFile: join(options.directory, `${slug}.db`), slowModel: options.slowModel, log: options.log ?? 'json', processMetrics: options.processMetrics ?? false }));
  const cli = options.sources === true ? ['--import', 'tsx', join(options.root, 'src', 'cli', 'main.ts')] : [await bundle(options.root, 'src/cli/main.ts', 'cli.mjs')];
  const server = await startServerProcess({
    name: options.name,
    args: [...(options.nodeFlags ?? []), ...cli, 'serve', '--config', configFile, '--port', '0'],
    cwd: options.root,
    env: { BENCH_FINITE_KEY: options.keys.finite, BENCH_UNLIMITED_KEY: options.keys.unlimited },
    ready: /switchyard gateway listening on (http:\/\/\S+)/,
    stdoutFile: accessLog,
  });
  return { ...server, accessLog };
}

/** Starts a forwarder floor (`node:http`, or Fastify from `fastifyDir`). */
export async function startForwarder(options: { name: string; simulatorUrl: string; kind: 'node' | 'fastify'; fastifyDir?: string; nodeFlags?: readonly string[] }): Promise<ServerProcess> {
  const script = await bundle(ROOT, 'bench/gateway-forwarder-process.ts', 'forwarder.mjs');
  return startServerProcess({
    name: options.name,
    args: [...(options.nodeFlags ?? []), script],
    env: { UPSTREAM_URL: options.simulatorUrl, FORWARDER: options.kind, ...(options.fastifyDir === undefined ? {} : { FASTIFY_DIR: options.fastifyDir }) },
    ready: /READY (\S+)\n/,
  });
}

/** Starts `bench/gateway-simulator-process.ts` (through tsx): answers at once, except `slowModel`'s streams. */
export function startGatewaySimulator(options: { slowModel: string; slowInterTokenMs: number }): Promise<ServerProcess> {
  return startServerProcess({
    name: 'simulator',
    args: ['--import', 'tsx', join(ROOT, 'bench', 'gateway-simulator-process.ts')],
    env: { SIM_SLOW_MODEL: options.slowModel, SIM_SLOW_INTER_TOKEN_MS: String(options.slowInterTokenMs) },
    ready: /READY (\S+)\n/,
  });
}

/** The Portkey gateway's server script in an install folder (`npm install @portkey-ai/gateway` there), if present. */
export function portkeyScript(directory: string): string | undefined {
  const script = join(directory, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  return existsSync(script) ? script : undefined;
}

/** The version of the Portkey gateway installed in `directory`. */
export function portkeyVersion(directory: string): string {
  const read = (path: string): string => (JSON.parse(readFileSync(join(directory, 'node_modules', ...path.split('/'), 'package.json'), 'utf8')) as { version: string }).version;
  return `@portkey-ai/gateway ${read('@portkey-ai/gateway')} (@hono/node-server ${read('@hono/node-server')})`;
}

/** Starts the Portkey gateway (headless, production mode: no log console) on a free port. */
export async function startPortkey(options: { name: string; directory: string; nodeFlags?: readonly string[] }): Promise<ServerProcess> {
  const script = portkeyScript(options.directory);
  if (script === undefined) throw new Error(`no Portkey gateway in ${options.directory}`);
  const port = await freePort();
  return startServerProcess({
    name: options.name,
    args: [...(options.nodeFlags ?? []), script, `--port=${port}`, '--headless'],
    cwd: options.directory,
    env: { NODE_ENV: 'production' },
    ready: /$^/,
    knownUrl: `http://127.0.0.1:${port}`,
  });
}

/** CPU time (user + system) a process has used so far, in microseconds: all its threads, from /proc. */
export function processCpuMicros(pid: number): number {
  let nanoseconds = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        // The first field of schedstat is the time the thread spent on a CPU, in ns.
        nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
  } catch {
    return Number.NaN;
  }
  return nanoseconds / 1_000;
}

/** CPU time its main thread (the event loop, where JavaScript runs) has used so far, in microseconds. */
export function mainThreadCpuMicros(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1_000;
  } catch {
    return Number.NaN;
  }
}

/** A process's resident memory now and at its peak, in bytes (VmRSS, VmHWM). */
export function processMemory(pid: number): { readonly rss: number; readonly peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1_024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}
