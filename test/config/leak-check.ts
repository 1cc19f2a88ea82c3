/**
 * Greps every surface of an error for secrets: `String(error)`, `util.inspect` at full depth,
 * `JSON.stringify`, and each problem's path and message. A secret counts as leaked when any
 * 8-character slice of it appears (so half a key is a leak too).
 */
import { inspect } from 'node:util';
import { expect } from 'vitest';

/** Every 8-character slice of each secret. */
export function slicesOf(secrets: readonly string[], length = 8): string[] {
  const slices = new Set<string>();
  for (const secret of secrets) for (let start = 0; start + length <= secret.length; start += 1) slices.add(secret.slice(start, start + length));
  return [...slices];
}

/** The text of every surface an error is seen through. */
export function errorSurfaces(error: unknown): Record<string, string> {
  const surfaces: Record<string, string> = {
    string: String(error),
    inspect: inspect(error, { depth: Infinity }),
    json: JSON.stringify(error) ?? '',
  };
  const problems = (error as { problems?: readonly { path: string; message: string }[] }).problems ?? [];
  surfaces.paths = problems.map((problem) => problem.path).join('\n');
  surfaces.messages = problems.map((problem) => problem.message).join('\n');
  return surfaces;
}

/** The first slice of a secret found in `text`, if any. */
export function leakIn(text: string, secrets: readonly string[]): string | undefined {
  return slicesOf(secrets).find((slice) => text.includes(slice));
}

/** Asserts no surface of the error shows any 8-character slice of any secret. */
export function expectNoLeak(error: unknown, secrets: readonly string[]): void {
  for (const [surface, text] of Object.entries(errorSurfaces(error))) {
    const leaked = leakIn(text, secrets);
    expect(leaked === undefined ? undefined : `${surface} shows "${leaked}": ${text.slice(0, 2_000)}`).toBeUndefined();
  }
}
