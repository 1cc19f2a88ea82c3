/**
 * The gateway's access log: one line per request — JSON for machines, or a short readable line
 * for a terminal. It names the key by id and name, never the key itself.
 *
 * Lines are buffered and written together once per turn of the event loop (`setImmediate`), or
 * sooner when 64 KiB wait: one write (one system call for a file or pipe) for every request that
 * ended in the turn instead of one per request. `flush()` writes them at once; the gateway calls
 * it when it closes, so a graceful shutdown loses nothing. A crash (an uncaught exception, a
 * SIGKILL) loses the lines of the turn it happened in, at most 64 KiB.
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
  /** Writes the lines still buffered now (the gateway calls it when it closes). */
  flush(): void;
}

/** Options of `createGatewayLogger`. */
export interface GatewayLoggerOptions {
  readonly level: LogLevel;
  readonly format: 'json' | 'pretty';
  /** Where lines go. @default process.stdout */
  readonly write?: (text: string) => void;
  /**
   * `turn`: the lines of one turn of the event loop are joined and handed to `write` once at its
   * end (several lines per call). `line`: each line is handed to `write` at once, alone.
   * @default 'turn'
   */
  readonly buffering?: 'turn' | 'line';
  readonly now?: () => Date;
}

/** Buffered text beyond which lines are written without waiting for the turn's end. */
const MAX_BUFFERED_CHARACTERS = 64 * 1024;

/** A logger writing one line per request (info; errors at warn or error by status). */
export function createGatewayLogger(options: GatewayLoggerOptions): GatewayLogger {
  const sink = options.write ?? ((text: string): void => void process.stdout.write(text));
  const clock = options.now;
  const time = clock === undefined ? cachedIsoTime() : (): string => clock().toISOString();
  let buffered = '';
  let scheduled = false;
  const flush = (): void => {
    if (buffered === '') return;
    const text = buffered;
    buffered = '';
    try {
      sink(text);
    } catch {
      // A failing log output must not fail a request.
    }
  };
  const flushAtTurnEnd = (): void => {
    scheduled = false;
    flush();
  };
  const write =
    options.buffering === 'line'
      ? sink
      : (line: string): void => {
          buffered += line;
          if (buffered.length >= MAX_BUFFERED_CHARACTERS) flush();
          else if (!scheduled) {
            scheduled = true;
            setImmediate(flushAtTurnEnd);
          }
        };
  const threshold = LEVEL_ORDER[options.level];
  const enabled = (level: LogLevel): boolean => LEVEL_ORDER[level] >= threshold && threshold < LEVEL_ORDER.silent;

  return {
    access(entry) {
      const level: LogLevel = entry.status >= 500 ? 'error' : entry.status >= 400 ? 'warn' : 'info';
      if (!enabled(level)) return;
      if (options.format === 'json') {
        write(`${JSON.stringify({ time: time(), level, msg: 'request', ...entry, latencyMs: Math.round(entry.latencyMs * 10) / 10 })}\n`);
        return;
      }
      const who = entry.keyName === undefined ? '' : ` key=${entry.keyName}`;
      const where = entry.target === undefined ? (entry.route === undefined ? '' : ` ${entry.route}`) : ` ${entry.route ?? ''}→${entry.target}`;
      const tokens = entry.inputTokens === undefined ? '' : ` ${entry.inputTokens}+${entry.outputTokens ?? 0} tok`;
      const failure = entry.error === undefined ? '' : ` ${entry.error.code ?? entry.error.category}: ${entry.error.message}`;
      write(`${time().slice(11, 23)} ${entry.status} ${entry.method} ${entry.path}${where}${who}${tokens} ${entry.latencyMs.toFixed(1)}ms${failure}\n`);
    },
    flush,
    event(level, message, fields = {}) {
      if (!enabled(level)) return;
      if (options.format === 'json') write(`${JSON.stringify({ time: time(), level, msg: message, ...fields })}\n`);
      else write(`${time().slice(11, 23)} ${level.toUpperCase()} ${message}${Object.keys(fields).length === 0 ? '' : ` ${JSON.stringify(fields)}`}\n`);
    },
  };
}

/** `new Date().toISOString()`, made once per millisecond (requests ending together share it). */
function cachedIsoTime(): () => string {
  let lastMs = -1;
  let last = '';
  return () => {
    const ms = Date.now();
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}
