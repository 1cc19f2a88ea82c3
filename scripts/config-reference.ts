/**
 * Regenerates the key-by-key reference in docs/configuration.md from the config schema's
 * descriptions (src/config/config-reference.ts).
 *
 *   npx tsx scripts/config-reference.ts           # print the reference
 *   npx tsx scripts/config-reference.ts --write   # rewrite it between the markers of the page
 *   npx tsx scripts/config-reference.ts --check   # exit 1 when the page is out of date
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REFERENCE_COMMAND, renderConfigReference, replaceReferenceSection } from '../src/config/config-reference.js';

const page = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));
const mode = process.argv[2];
const reference = renderConfigReference();

if (mode === undefined) {
  process.stdout.write(reference);
} else if (mode === '--write' || mode === '--check') {
  const current = readFileSync(page, 'utf8');
  const updated = replaceReferenceSection(current, reference);
  if (mode === '--write') {
    if (updated !== current) writeFileSync(page, updated);
    process.stdout.write(updated === current ? 'docs/configuration.md is up to date\n' : 'docs/configuration.md updated\n');
  } else if (updated !== current) {
    process.stderr.write(`docs/configuration.md is out of date: run ${REFERENCE_COMMAND}\n`);
    process.exitCode = 1;
  }
} else {
  process.stderr.write('usage: npx tsx scripts/config-reference.ts [--write | --check]\n');
  process.exitCode = 2;
}
