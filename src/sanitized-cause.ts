/**
 * Foreign errors made safe to keep as a `SwitchyardError`'s `cause`.
 *
 * What undici, Node and `JSON.parse` throw can carry what the upstream sent: undici's
 * `HTTPParserError` keeps the raw bytes of a malformed response in `data` (which may echo the
 * request's `authorization` header), a `JSON.parse` error quotes the start of the body, and other
 * errors hang `headers`, `body` or `response` on themselves. `util.inspect` and `console.error`
 * print all of it, to any depth of the cause chain. So a foreign error is never kept as it is: it
 * becomes a `SanitizedCause` with its `name`, its class name, its `code` and its redacted message,
 * and its own `cause` (and an `AggregateError`'s `errors`) sanitised the same way. Everything else
 * is dropped.
 */
import { redactErrorText, redactSecrets } from './secret-registry.js';

/** The marker `SwitchyardError` carries (see src/errors.ts); checked here without importing it. */
const SWITCHYARD_ERROR = Symbol.for('switchyard.error');

/** How deep a cause chain is followed; deeper causes are dropped. */
const MAX_CAUSE_DEPTH = 8;

/** How many of an `AggregateError`'s `errors` are kept. */
const MAX_AGGREGATED = 16;

/** What `SanitizedCause` keeps of a foreign error. */
export interface SanitizedCauseOptions {
  /** The foreign error's `name` (`HTTPParserError`, `SyntaxError`, `AbortError`...). */
  readonly name: string;
  /** Its redacted message. */
  readonly message: string;
  /** Its constructor's name, when that differs from `name` (e.g. `DOMException` for an `AbortError`). */
  readonly className?: string;
  /** Its `code` (`ECONNREFUSED`, `UND_ERR_SOCKET`...), when it had one. */
  readonly code?: string | number;
  /**
   * Its stack frames (the `at ...` lines), without the message line; or a function that gives them
   * when `stack` is first read (formatting a stack costs more than the rest of an error).
   */
  readonly frames?: string | (() => string);
  readonly cause?: unknown;
  /** An `AggregateError`'s errors, already sanitised. */
  readonly errors?: readonly unknown[];
}

/**
 * A foreign error as a `SwitchyardError` keeps it in its `cause` chain: the original's `name`,
 * class name and `code`, and its message with secrets redacted (`redactErrorText`). Raw fields
 * (undici's `data`, `headers`, `body`, `response`...) are not kept. `util.inspect` shows it as
 * `SanitizedCause [HTTPParserError]: <message>`.
 */
export class SanitizedCause extends Error {
  // Declared, not initialised: a field is an own property only when the original had it.
  /** The original's `code`, when it had one. */
  declare readonly code?: string | number;
  /** The original's constructor name, when it differs from its `name`. */
  declare readonly className?: string;
  /** An `AggregateError`'s errors (sanitised), e.g. one connect error per address tried. */
  declare readonly errors?: readonly unknown[];

  constructor(options: SanitizedCauseOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    // Not an enumerable field: `inspect` shows the name in its first line already.
    Object.defineProperty(this, 'name', { value: options.name, enumerable: false, configurable: true, writable: true });
    const fields = this as { code?: string | number; className?: string; errors?: readonly unknown[] };
    if (options.code !== undefined) fields.code = options.code;
    if (options.className !== undefined) fields.className = options.className;
    if (options.errors !== undefined) fields.errors = options.errors;
    const head = `${options.name}: ${options.message}`;
    const frames = options.frames;
    if (typeof frames !== 'function') {
      this.stack = frames === undefined || frames === '' ? head : `${head}\n${frames}`;
      return;
    }
    // Formatted on first read, then kept: most errors are never printed.
    Object.defineProperty(this, 'stack', {
      configurable: true,
      enumerable: false,
      get(this: SanitizedCause): string {
        const text = frames();
        const stack = text === '' ? head : `${head}\n${text}`;
        Object.defineProperty(this, 'stack', { value: stack, writable: true, configurable: true, enumerable: false });
        return stack;
      },
      set(this: SanitizedCause, value: unknown) {
        Object.defineProperty(this, 'stack', { value, writable: true, configurable: true, enumerable: false });
      },
    });
  }

  /** Name, message and code, for `JSON.stringify`. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, code: this.code, className: this.className };
  }
}

function isSwitchyardError(value: object): boolean {
  return (value as Record<symbol, unknown>)[SWITCHYARD_ERROR] === true;
}

/** Reads a property that may be a throwing getter. */
function read(value: object, key: string): unknown {
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** The `at ...` lines of a stack, redacted (a frame never holds a body, but a file name might hold anything). */
function framesOf(stack: unknown): string {
  if (typeof stack !== 'string') return '';
  const frames = stack.split('\n').filter((line) => /^\s+at\s/.test(line));
  return redactSecrets(frames.join('\n'));
}

function constructorName(value: object): string | undefined {
  try {
    const name: unknown = (value.constructor as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  } catch {
    return undefined;
  }
}

function sanitize(value: unknown, depth: number, seen: Set<object>): unknown {
  if (value === undefined || value === null) return value;
  if (typeof value === 'string') return redactErrorText(value);
  if (typeof value !== 'object' && typeof value !== 'function') return value;
  const object = value;
  if (object instanceof SanitizedCause || isSwitchyardError(object)) return object;
  if (seen.has(object) || depth >= MAX_CAUSE_DEPTH) return undefined;
  seen.add(object);
  const className = constructorName(object);
  const rawName = read(object, 'name');
  const rawMessage = read(object, 'message');
  const isErrorLike = object instanceof Error || typeof rawMessage === 'string';
  if (!isErrorLike) {
    // Not an error at all (a thrown plain object, an abort reason): say what it was, keep nothing.
    return withoutStackCapture(() => new SanitizedCause({ name: className ?? typeof value, message: `a non-error value (${className ?? typeof value}) was thrown` }));
  }
  const name = typeof rawName === 'string' && rawName !== '' ? redactErrorText(rawName) : (className ?? 'Error');
  const rawCode = read(object, 'code');
  const code = typeof rawCode === 'string' ? redactErrorText(rawCode) : typeof rawCode === 'number' ? rawCode : undefined;
  const rawErrors = read(object, 'errors');
  const errors = Array.isArray(rawErrors) ? rawErrors.slice(0, MAX_AGGREGATED).map((item: unknown) => sanitize(item, depth + 1, seen)) : undefined;
  const cause = read(object, 'cause');
  return withoutStackCapture(
    () =>
      new SanitizedCause({
        name,
        message: typeof rawMessage === 'string' ? redactErrorText(rawMessage) : '',
        ...(className !== undefined && className !== name && className !== 'Error' ? { className } : {}),
        ...(code === undefined ? {} : { code }),
        // The original stays reachable only from this closure: nothing prints or serialises it.
        frames: () => framesOf(read(object, 'stack')),
        ...(cause === undefined || cause === object ? {} : { cause: sanitize(cause, depth + 1, seen) }),
        ...(errors === undefined ? {} : { errors }),
      }),
  );
}

/** Builds an error without capturing a stack trace (its stack is the original's, set afterwards). */
function withoutStackCapture<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * A cause made safe to keep: a `SwitchyardError` or `SanitizedCause` as it is; any other error as
 * a `SanitizedCause` (name, class name, code, redacted message; its cause chain sanitised to a
 * depth of 8, cycles cut); a string redacted; a number, boolean or `undefined` as it is; any other
 * value as a `SanitizedCause` naming only its type.
 */
export function sanitizeCause(cause: unknown): unknown {
  return sanitize(cause, 0, new Set());
}
