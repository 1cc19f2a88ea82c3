/**
 * The gateway's access log: one line per request — JSON for machines, or a short readable line
 * for a terminal. It names the key by id and name, never the key itself.
 */

/** Log levels, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVEL_ORDER: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** What one request's log line says. */
export interface AccessLogEntry {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly latencyMs: number;
  readonly ingress?: string;
  readonly keyId?: string;
  readonly keyName?: string;
  readonly route?: string;
  readonly target?: string;
  readonly stream?: boolean;
  readonly inputTokens?: number;
  readonly outputTokens?: number;
  readonly client?: string;
  /** The error's category and message, for failed requests. */
  readonly error?: { readonly category: string; readonly code?: string; readonly message: string };
}

/** Writes access-log lines and gateway events at a level, in a format. */
export interface GatewayLogger {
  access(entry: AccessLogEntry): void;
  event(level: Exclude<LogLevel, 'silent'>, message: string, fields?: Readonly<Record<string, unknown>>): void;
}

/** Options of `createGatewayLogger`. */
export interface GatewayLoggerOptions {
  readonly level: LogLevel;
  readonly format: 'json' | 'pretty';
  /** Where lines go. @default process.stdout */
  readonly write?: (line: string) => void;
  readonly now?: () => Date;
}

/** A logger writing one line per request (info; errors at warn or error by status). */
export function createGatewayLogger(options: GatewayLoggerOptions): GatewayLogger {
  const write = options.write ?? ((line: string): void => void process.stdout.write(line));
  const now = options.now ?? ((): Date => new Date());
  const threshold = LEVEL_ORDER[options.level];
  const enabled = (level: LogLevel): boolean => LEVEL_ORDER[level] >= threshold && threshold < LEVEL_ORDER.silent;

  return {
    access(entry) {
      const level: LogLevel = entry.status >= 500 ? 'error' : entry.status >= 400 ? 'warn' : 'info';
      if (!enabled(level)) return;
      if (options.format === 'json') {
        write(`${JSON.stringify({ time: now().toISOString(), level, msg: 'request', ...entry, latencyMs: Math.round(entry.latencyMs * 10) / 10 })}\n`);
        return;
      }
      const who = entry.keyName === undefined ? '' : ` key=${entry.keyName}`;
      const where = entry.target === undefined ? (entry.route === undefined ? '' : ` ${entry.route}`) : ` ${entry.route ?? ''}→${entry.target}`;
      const tokens = entry.inputTokens === undefined ? '' : ` ${entry.inputTokens}+${entry.outputTokens ?? 0} tok`;
      const failure = entry.error === undefined ? '' : ` ${entry.error.code ?? entry.error.category}: ${entry.error.message}`;
      write(`${now().toISOString().slice(11, 23)} ${entry.status} ${entry.method} ${entry.path}${where}${who}${tokens} ${entry.latencyMs.toFixed(1)}ms${failure}\n`);
    },
    event(level, message, fields = {}) {
      if (!enabled(level)) return;
      if (options.format === 'json') write(`${JSON.stringify({ time: now().toISOString(), level, msg: message, ...fields })}\n`);
      else write(`${now().toISOString().slice(11, 23)} ${level.toUpperCase()} ${message}${Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`}\n`);
    },
  };
}
