/**
 * `${NAME}` and `${NAME:-default}` in the config's string values, read from an environment
 * (by default `process.env`).
 *
 * Rules (the same everywhere, `apiKey` included):
 * - `${NAME}` is replaced by the variable's value; an unset variable is an error naming the
 *   variable and where it was used. A variable set to the empty string gives the empty string.
 * - `${NAME:-default}` uses `default` when the variable is unset or empty. Write `${NAME:-}` for a
 *   value that may be left out: an empty `apiKey`, `baseUrl` or `state.redis.url` counts as absent.
 * - `$${` is a literal `${`. A `$` not followed by `{` is kept as it is.
 * - Only string values are interpolated, never keys. The result is always a string: use
 *   interpolation for strings and durations (`${TIMEOUT:-30s}`), not for numbers or booleans.
 */
import { SwitchyardError } from '../errors.js';
import type { PathSegment } from './config-error.js';
import { quoteValue, shownText } from './redact-text.js';

/** The variables interpolation reads. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** One problem found while interpolating, at a path of the config. */
export interface InterpolationProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function failure(message: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', code: 'config.invalid', message });
}

/**
 * Replaces every `${NAME}` / `${NAME:-default}` in one string.
 *
 * @throws SwitchyardError of category `config` whose message names the unset variable or the malformed expression.
 * @example interpolateString('${HOST:-localhost}:8080', {}) // 'localhost:8080'
 */
export function interpolateString(text: string, environment: Environment = process.env): string {
  let result = '';
  let position = 0;
  while (position < text.length) {
    const dollar = text.indexOf('$', position);
    if (dollar === -1) {
      result += text.slice(position);
      break;
    }
    result += text.slice(position, dollar);
    if (text.startsWith('$${', dollar)) {
      result += '${';
      position = dollar + 3;
      continue;
    }
    if (text[dollar + 1] !== '{') {
      result += '$';
      position = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      throw failure('unterminated "${": add the closing "}" (or write "$${" for a literal "${")');
    }
    result += substitute(text.slice(dollar + 2, close), environment);
    position = close + 1;
  }
  return result;
}

function substitute(expression: string, environment: Environment): string {
  const separator = expression.indexOf(':-');
  const name = separator === -1 ? expression : expression.slice(0, separator);
  if (!NAME.test(name)) {
    const shown = name === '' ? 'an empty name' : quoteValue(name);
    throw failure(
      `"\${" is followed by ${shown} where a variable name (letters, digits, _) was expected; only \${NAME} and \${NAME:-default} are supported (write "$\${" for a literal "\${")`,
    );
  }
  const value = environment[name];
  if (separator !== -1) {
    return value === undefined || value === '' ? expression.slice(separator + 2) : value;
  }
  if (value === undefined) {
    const shown = shownText(name);
    throw failure(`environment variable ${shown} is not set (set it, or write \${${shown}:-default} to give a default; \${${shown}:-} for an optional value)`);
  }
  return value;
}

/**
 * Interpolates every string value of a parsed config (objects and arrays are walked, keys are
 * left alone) and returns a new value plus every problem found. A value that failed is left as
 * written, so later checks can still run; callers report the problems first.
 */
export function interpolateValues(
  value: unknown,
  environment: Environment = process.env,
): { readonly value: unknown; readonly problems: readonly InterpolationProblem[] } {
  const problems: InterpolationProblem[] = [];

  function walk(current: unknown, path: readonly PathSegment[]): unknown {
    if (typeof current === 'string') {
      try {
        return interpolateString(current, environment);
      } catch (error) {
        if (!SwitchyardError.isInstance(error)) throw error;
        problems.push({ path, message: error.message });
        return current;
      }
    }
    if (Array.isArray(current)) return current.map((item, index) => walk(item, [...path, index]));
    if (isPlainObject(current)) {
      const copy: Record<string, unknown> = {};
      // Defined, not assigned: a key named `__proto__` stays a key (as YAML gives it) and never
      // becomes the copy's prototype.
      for (const [key, item] of Object.entries(current)) Object.defineProperty(copy, key, { value: walk(item, [...path, key]), enumerable: true, writable: true, configurable: true });
      return copy;
    }
    return current;
  }

  return { value: walk(value, []), problems };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
