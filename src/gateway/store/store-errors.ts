/**
 * The store's failures as `SwitchyardError`s: a database that cannot be reached (or fails a
 * statement) is category `server`, status 503, message "key store unavailable…", so the server
 * answers 503 and the resilient store knows to fall back on its cache and queue.
 */
import { SwitchyardError } from '../../errors.js';

/** The start of every store-unavailable message. */
export const STORE_UNAVAILABLE = 'key store unavailable';

/** A driver failure during `operation`, as the store's error. */
export function storeUnavailable(operation: string, cause: unknown): SwitchyardError {
  // A driver's code (`ECONNREFUSED`, a SQLSTATE) names the problem without quoting data; else the message.
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;
  const detail = typeof code === 'string' || typeof code === 'number' ? String(code) : cause instanceof Error ? cause.message : String(cause);
  return new SwitchyardError({ category: 'server', code: 'server.state_store', status: 503, message: `${STORE_UNAVAILABLE} (${operation}): ${detail}`, cause });
}

/** A store-unavailable error without a driver cause (the resilient store's own refusals). */
export function storeUnavailableBecause(reason: string, cause?: unknown): SwitchyardError {
  return new SwitchyardError({ category: 'server', code: 'server.state_store', status: 503, message: `${STORE_UNAVAILABLE}: ${reason}`, ...(cause === undefined ? {} : { cause }) });
}

/** Whether an error means the store could not be reached (as opposed to refused input). */
export function isStoreUnavailable(error: unknown): boolean {
  return !SwitchyardError.isInstance(error) || error.category === 'server';
}

/**
 * Runs a store operation, turning anything but a `SwitchyardError` it threw into a
 * store-unavailable error (input errors pass through as they are).
 */
export async function guardStore<T>(operation: string, run: () => Promise<T> | T): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw SwitchyardError.isInstance(error) ? error : storeUnavailable(operation, error);
  }
}

/** A config error for a store whose driver package is not installed. */
export function missingDriver(packageName: string, install: string, cause: unknown): SwitchyardError {
  return new SwitchyardError({
    category: 'config',
    message: `the gateway's ${packageName === 'pg' ? 'PostgreSQL' : 'embedded SQLite'} store needs the optional package "${packageName}": run \`${install}\``,
    cause,
  });
}

/** Whether an `import()` failed because the package itself is missing (not one of its files). */
export function isModuleMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${packageName}'`);
}
