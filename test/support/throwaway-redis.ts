/**
 * A Redis server of a test's own (`redis-server --port <free port> --save ''`), for tests that
 * kill Redis: the shared test Redis must stay up for every other test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** The `redis-server` binary on PATH, or undefined. */
export const redisServerBinary: string | undefined = (process.env.PATH ?? '')
  .split(delimiter)
  .map((directory) => join(directory, 'redis-server'))
  .find((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

if (redisServerBinary === undefined) {
  console.warn('\n!!! redis-server is not on PATH: tests that kill their own Redis are SKIPPED. !!!\n');
}

/** A running throwaway Redis. */
export interface ThrowawayRedis {
  readonly port: number;
  /** Kills it with SIGKILL (no shutdown, no save) and waits for the process to exit. */
  kill(): Promise<void>;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts `redis-server` on `port` (a free one by default) and resolves once it accepts connections. */
export async function startThrowawayRedis(port?: number): Promise<ThrowawayRedis> {
  if (redisServerBinary === undefined) throw new Error('redis-server is not on PATH');
  const chosen = port ?? (await freePort());
  const child: ChildProcess = spawn(
    redisServerBinary,
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'notice'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on ${chosen}: ${output}`)), 5_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}: ${output}`));
    });
  });
  return {
    port: chosen,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
