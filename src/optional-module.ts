/**
 * Loads an optional peer dependency (the AWS signer for Bedrock, google-auth-library for Vertex
 * AI) the first time a provider needs it, so users of the other providers never install it. A
 * missing package is a `config` error that says what to install; any other failure passes through.
 */
import { SwitchyardError } from './errors.js';

/** Whether an `import()` failed because the package itself is missing (not one of its files). */
function isModuleMissing(error: unknown, packageName: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : '';
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(packageName);
}

/**
 * The module `load` imports. `load` must be a literal `() => import('<package>')` so bundlers
 * keep the specifier; `packageName` and `purpose` word the error: "install @smithy/signature-v4
 * to use Bedrock (npm i @smithy/signature-v4)".
 */
export async function loadOptionalModule<T>(packageName: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (!isModuleMissing(error, packageName)) throw error;
    throw new SwitchyardError({ category: 'config', code: 'config.invalid', message: `install ${packageName} to use ${purpose} (npm i ${packageName})`, cause: error });
  }
}
