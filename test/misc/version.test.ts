import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { LIBRARY_VERSION } from '../../src/version.js';

it('LIBRARY_VERSION equals the version in package.json', () => {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(LIBRARY_VERSION).toBe(manifest.version);
});
