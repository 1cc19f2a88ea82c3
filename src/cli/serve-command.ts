/**
 * `switchyard serve --config <file> [--host <address>] [--port <n>]`: runs the gateway until
 * SIGTERM or SIGINT, then shuts down gracefully (stops accepting, lets calls and streams in
 * flight finish up to `gateway.timeouts.shutdown`, flushes usage) and exits 0. SIGHUP re-reads the
 * config file (`gateway.reload()`): the outcome is one structured log line, and a bad config is
 * refused while the one in use keeps serving — never an exit.
 */
import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load.js';
import { createGateway } from '../gateway/create-gateway.js';
import type { CommandIo } from './canary-command.js';
import { parseCommandArgs, usageError, type ConfigCommandOptions } from './config-support.js';

const USAGE = `Usage: switchyard serve --config <switchyard.yaml> [--host <address>] [--port <n>]

Runs the gateway: OpenAI- and Anthropic-compatible endpoints with virtual keys, quotas and the
config's routes behind them (see docs/gateway.md). SIGTERM or SIGINT shut it down gracefully;
SIGHUP re-reads the config file (a bad one is refused and logged; the one in use keeps serving).

Options:
  -c, --config <file>   the config (its \`gateway:\` section sets the address, store and keys)
      --host <address>  listen on this address instead of gateway.host (default 127.0.0.1)
      --port <n>        listen on this port instead of gateway.port (default 8080; 0 = any free port)
  -h, --help            print this help

Exit codes: 0 stopped cleanly, 1 could not start (invalid config, port taken, store unreachable), 2 usage mistake.
`;

/** Options of the serve command beyond its arguments. */
export interface ServeCommandOptions extends ConfigCommandOptions {
  /** Resolves when the server should stop (tests); by default SIGTERM or SIGINT. */
  readonly stopSignal?: Promise<void>;
}

/** Runs `switchyard serve`; resolves with the exit code once the gateway has stopped. */
export async function serveCommand(argv: readonly string[], io: CommandIo, options: ServeCommandOptions = {}): Promise<number> {
  const parsed = parseCommandArgs(argv, { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' } });
  if ('mistake' in parsed) return usageError(io, USAGE, parsed.mistake);
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  const file = (parsed.values.config as string | undefined) ?? parsed.positionals[0];
  if (file === undefined) return usageError(io, USAGE, 'Missing --config <file>.');
  const portText = parsed.values.port as string | undefined;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) return usageError(io, USAGE, `--port must be a whole number from 0 to 65535, not ${JSON.stringify(portText)}.`);
  const host = parsed.values.host as string | undefined;

  let config;
  try {
    config = loadConfig(file, options.env === undefined ? {} : { env: options.env });
  } catch (error) {
    if (ConfigError.isConfigError(error)) {
      io.stderr(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  let gateway;
  let url;
  try {
    gateway = await createGateway(config, {
      settings: { ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port }) },
      logOutput: io.stdout,
      configFile: file,
      ...(options.env === undefined ? {} : { env: options.env }),
    });
    url = await gateway.listen();
  } catch (error) {
    io.stderr(`switchyard serve: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    await gateway?.close();
    return 1;
  }
  io.stderr(`switchyard gateway listening on ${url} (OpenAI: ${url}/v1, Anthropic: ${url}; admin API ${gateway.settings.adminKey === undefined ? 'off' : 'on'})\n`);
  const running = gateway;
  // The reloader logs the outcome; a refused config must never end the process.
  const onHangUp = (): void => void running.reload().catch(() => undefined);
  process.on('SIGHUP', onHangUp);
  try {
    await (options.stopSignal ?? untilSignalled());
  } finally {
    process.off('SIGHUP', onHangUp);
  }
  io.stderr('switchyard gateway: shutting down (finishing calls in flight)\n');
  await gateway.close();
  return 0;
}

function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
