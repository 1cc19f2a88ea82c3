/**
 * The package as a user gets it: `npm pack`, install the tarball into a fresh app (offline, from
 * the npm cache `npm ci` filled), then run an ESM program and a CommonJS program against the
 * bundled simulator, the `switchyard` command from `node_modules/.bin`, and `tsc --strict`
 * (without `skipLibCheck`) on a consumer importing both entry points under node10, node16,
 * nodenext and bundler resolution.
 *
 * It packs the `dist` that exists (CI runs `npm run build` before `npm test`); without one it
 * builds, and if that fails it skips with a warning rather than silently.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin: Record<string, string>;
};
const entryFiles = ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/testing/index.js', 'dist/testing/index.d.ts', 'dist/cli.js'];

function distIsBuilt(): boolean {
  return entryFiles.every((file) => existsSync(join(repository, file)));
}

function buildIfNeeded(): string | undefined {
  if (distIsBuilt()) return undefined;
  try {
    execFileSync('npm', ['run', 'build'], { cwd: repository, stdio: 'pipe', timeout: 180_000 });
  } catch (error) {
    return `npm run build failed: ${error instanceof Error ? error.message.slice(0, 500) : String(error)}`;
  }
  return distIsBuilt() ? undefined : 'npm run build did not produce every entry file';
}

const buildProblem = buildIfNeeded();
if (buildProblem !== undefined) {
  console.warn(`\n*** test/package/pack.test.ts SKIPPED: dist cannot be built (${buildProblem}) ***\n`);
}

/**
 * A fresh app depending on the tarball and on `@types/node`, with a lock file taken from the
 * repository's: `npm ci` then needs only the tarballs `npm ci` put in the cache, no registry
 * metadata (which a plain `npm install --offline` would need and the cache does not hold).
 */
function writeAppWithLock(app: string, tarballName: string): void {
  const lock = JSON.parse(readFileSync(join(repository, 'package-lock.json'), 'utf8')) as { packages: Record<string, Record<string, unknown>> };
  const typesNode = lock.packages['node_modules/@types/node'];
  const dependencies = { [manifest.name]: `file:${tarballName}`, '@types/node': String(typesNode?.['version']) };
  const packages: Record<string, Record<string, unknown>> = {
    '': { name: 'consumer', version: '1.0.0', dependencies },
    [`node_modules/${manifest.name}`]: {
      version: manifest.version,
      resolved: `file:${tarballName}`,
      dependencies: manifest.dependencies,
      bin: manifest.bin,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
    },
  };
  const forTypes = (path: string): boolean => path === 'node_modules/undici-types' || path === 'node_modules/@types/node' || path.startsWith('node_modules/@types/node/');
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === '' || (entry['dev'] === true && !forTypes(path))) continue;
    const { dev: _dev, devOptional: _devOptional, ...kept } = entry;
    packages[path] = kept;
  }
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2));
}

const esmProgram = `
import { createRouter, defineConfig, SwitchyardError } from '${manifest.name}';
import { startSimulator } from '${manifest.name}/testing';

const sim = await startSimulator();
const router = createRouter(defineConfig({
  providers: { sim: { type: 'openai-compatible', baseUrl: sim.url + '/v1', apiKey: sim.apiKey } },
  routes: { chat: { targets: [{ provider: 'sim', model: 'gpt-4o' }] } },
}));
try {
  const response = await router.chat({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] });
  console.log(JSON.stringify({ text: typeof response.text, target: response.target.model, isError: SwitchyardError.isInstance(new Error('x')) }));
} finally {
  await router.close();
  await sim.close();
}
`;

const cjsProgram = esmProgram
  .replace(`import { createRouter, defineConfig, SwitchyardError } from '${manifest.name}';`, `const { createRouter, defineConfig, SwitchyardError } = require('${manifest.name}');`)
  .replace(`import { startSimulator } from '${manifest.name}/testing';`, `const { startSimulator } = require('${manifest.name}/testing');\n(async () => {`)
  .concat('})().catch((error) => { console.error(error); process.exitCode = 1; });\n');

/** A consumer that uses the public types, including the hand-written config input. */
const consumerSource = `
import { createRouter, defineConfig, SwitchyardError, type ChatResponse, type SwitchyardConfigInput, type CallPolicies } from '${manifest.name}';
import { startSimulator, type Simulator } from '${manifest.name}/testing';

const input: SwitchyardConfigInput = defineConfig({
  providers: { sim: { type: 'openai-compatible', baseUrl: 'http://127.0.0.1:1/v1', apiKey: 'k', pool: { keepAliveTimeout: '30s' } } },
  routes: { chat: { targets: [{ provider: 'sim', model: 'm', weight: 1 }], policies: { retry: { attempts: 2, on: ['overloaded'] }, cache: false } } },
});
const overrides: CallPolicies = { timeout: { total: '10s' } };
export async function main(): Promise<string> {
  const sim: Simulator = await startSimulator();
  const router = createRouter(input);
  try {
    const response: ChatResponse = await router.chat({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }] }, { policies: overrides });
    return response.text;
  } catch (error) {
    if (SwitchyardError.isInstance(error)) return error.category;
    throw error;
  } finally {
    await router.close();
    await sim.close();
  }
}
`;

/** Compiler settings a consumer might have: each resolution mode, strict, no skipLibCheck. */
const typeChecks: readonly { readonly name: string; readonly file: string; readonly module: string; readonly moduleResolution: string }[] = [
  { name: 'node10', file: 'consumer.ts', module: 'commonjs', moduleResolution: 'node10' },
  { name: 'node16-cjs', file: 'consumer.cts', module: 'node16', moduleResolution: 'node16' },
  { name: 'nodenext-esm', file: 'consumer.mts', module: 'nodenext', moduleResolution: 'nodenext' },
  { name: 'bundler', file: 'consumer.ts', module: 'esnext', moduleResolution: 'bundler' },
];

describe.skipIf(buildProblem !== undefined)(`the packed ${manifest.name} in a fresh app`, () => {
  let workspace = '';
  let app = '';
  let installNote = '';

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'switchyard-pack-'));
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workspace], { cwd: repository });
    const [pack] = JSON.parse(packed.stdout) as [{ filename: string }];
    const tarball = join(workspace, pack.filename);

    app = join(workspace, 'app');
    mkdirSync(app);
    try {
      writeAppWithLock(app, pack.filename);
      copyFileSync(tarball, join(app, pack.filename));
      await run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, timeout: 60_000 });
      installNote = 'installed offline with npm ci from the npm cache';
    } catch (error) {
      // No usable cache: unpack the tarball as npm would and borrow the repository's dependencies.
      installNote = `offline install failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); unpacked the tarball and linked the repository's node_modules instead`;
      const modules = join(app, 'node_modules');
      rmSync(modules, { recursive: true, force: true });
      mkdirSync(join(modules, manifest.name), { recursive: true });
      mkdirSync(join(modules, '.bin'));
      for (const entry of readdirSync(join(repository, 'node_modules'))) {
        if (entry !== '.bin' && entry !== manifest.name) symlinkSync(join(repository, 'node_modules', entry), join(modules, entry));
      }
      await run('tar', ['-xzf', tarball, '-C', join(modules, manifest.name), '--strip-components=1']);
      symlinkSync(join('..', manifest.name, 'dist', 'cli.js'), join(modules, '.bin', 'switchyard'));
    }
    console.info(`pack test: ${installNote}`);
  }, 90_000);

  afterAll(() => {
    if (workspace !== '') rmSync(workspace, { recursive: true, force: true });
  });

  it('ships no source maps, no CommonJS CLI and a LICENSE', () => {
    const shipped = join(app, 'node_modules', manifest.name);
    expect(existsSync(join(shipped, 'LICENSE'))).toBe(true);
    expect(existsSync(join(shipped, 'dist', 'cli.cjs'))).toBe(false);
    expect(readdirSync(join(shipped, 'dist')).filter((file) => file.endsWith('.map'))).toEqual([]);
  });

  it('gets @opentelemetry/api (an optional peer) installed through prom-client, as the README says', () => {
    if (!installNote.startsWith('installed offline')) {
      console.warn('pack test: the install was improvised from the repository, so what npm installs is not checked');
      return;
    }
    expect(existsSync(join(app, 'node_modules', '@opentelemetry', 'api', 'package.json'))).toBe(true);
  });

  it('runs an ESM program and a CommonJS program against the bundled simulator', async () => {
    writeFileSync(join(app, 'program.mjs'), esmProgram);
    writeFileSync(join(app, 'program.cjs'), cjsProgram);
    const [esm, cjs] = await Promise.all([run('node', ['program.mjs'], { cwd: app }), run('node', ['program.cjs'], { cwd: app })]);
    for (const output of [esm.stdout, cjs.stdout]) {
      expect(JSON.parse(output.trim())).toEqual({ text: 'string', target: 'gpt-4o', isError: false });
    }
  });

  it('runs the switchyard command from node_modules/.bin', async () => {
    const help = await run(join(app, 'node_modules', '.bin', 'switchyard'), ['--help'], { cwd: app });
    expect(help.stdout).toContain('Usage: switchyard');
  });

  it('type-checks a strict consumer under node10, node16, nodenext and bundler resolution, without skipLibCheck', async () => {
    const tsc = join(repository, 'node_modules', 'typescript', 'bin', 'tsc');
    // One after another: four compilers at once would starve the timing-sensitive tests running beside this file.
    const results: { name: string; errors: string }[] = [];
    for (const check of typeChecks) {
      const directory = join(app, `types-${check.name}`);
      mkdirSync(directory);
      writeFileSync(join(directory, check.file), consumerSource);
      const compilerOptions = { strict: true, noEmit: true, target: 'es2022', lib: ['es2023'], types: ['node'], module: check.module, moduleResolution: check.moduleResolution };
      writeFileSync(join(directory, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [check.file] }));
      try {
        await run('node', [tsc, '-p', directory], { cwd: directory });
        results.push({ name: check.name, errors: '' });
      } catch (error) {
        results.push({ name: check.name, errors: String((error as { stdout?: string }).stdout ?? error) });
      }
    }
    expect(results).toEqual(typeChecks.map((check) => ({ name: check.name, errors: '' })));
  }, 90_000);
});
