import { defineConfig } from 'tsup';

/**
 * The library ships ESM and CommonJS with declarations for both; the CLI ships as ESM only (it is
 * run, never imported) and shares the ESM build's chunks instead of carrying a second copy of the
 * library. No source maps: they would carry the whole source (`sourcesContent`) and double the
 * package, and the output is unminified, readable JavaScript anyway. `npm run build` empties
 * `dist` first (a `clean` here would race the other build).
 */
const library = { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' };
const common = { sourcemap: false, clean: false, target: 'node20', platform: 'node' } as const;

export default defineConfig([
  {
    ...common,
    entry: { ...library, cli: 'src/cli/main.ts' },
    format: ['esm'],
    splitting: true,
    dts: { entry: library },
  },
  {
    ...common,
    entry: library,
    format: ['cjs'],
    splitting: false,
    dts: true,
  },
]);
