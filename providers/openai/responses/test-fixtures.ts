/**
 * Reads the Responses API golden fixtures of `__fixtures__` (sources in its README). Test-only;
 * nothing in the library uses it.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** A fixture's text. */
export function responsesFixture(name: string): string {
  return readFileSync(`${FIXTURES}${name}`, 'utf8');
}

/** A JSON fixture, parsed. */
export function responsesJsonFixture(name: string): Record<string, unknown> {
  return JSON.parse(responsesFixture(name)) as Record<string, unknown>;
}
