import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Fails on any import cycle among the modules under src/ and providers/ (one graph: a cycle may
 * cross between them), type-only imports included (`import type`, `export type … from`): a cycle
 * of types still ties modules together for a reader and for the compiler. Also holds the layering
 * rule that adapters never import the router or the gateway. Relative specifiers only; `./x.js`
 * resolves to `./x.ts` or `./x/index.ts`.
 */

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sourceRoot = join(repositoryRoot, 'src');
const providersRoot = join(repositoryRoot, 'providers');

/**
 * Cycles waiting for a fix, each as its exact set of modules (relative to the repository root,
 * e.g. `src/a.ts`). Any other cycle, or one of these growing, fails; one of these gone fails too,
 * so that it is removed from here.
 */
const KNOWN_CYCLES: readonly (readonly string[])[] = [];

/** `import … from '…'`, `import '…'`, `export … from '…'`, across lines; comments removed first. */
const importPattern = /(?:^|[;}\s])(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

function listSourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) files.push(...listSourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
  }
  return files.sort();
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1');
}

function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.js$/, '');
  for (const candidate of [`${stem}.ts`, join(base, 'index.ts'), join(stem, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function buildGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = stripComments(readFileSync(file, 'utf8'));
    const targets = new Set<string>();
    for (const match of text.matchAll(importPattern)) {
      const target = resolveSpecifier(file, match[1] as string);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Strongly connected components with more than one module (or a module importing itself). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];

  const visit = (node: string): void => {
    index.set(node, counter);
    lowLink.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(node, Math.min(lowLink.get(node) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(node, Math.min(lowLink.get(node) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component.sort());
    }
  };

  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components;
}

/** One concrete path through a component, from its first module back to itself, for the message. */
function describeCycle(graph: ReadonlyMap<string, readonly string[]>, component: readonly string[]): string {
  const members = new Set(component);
  const start = component[0] as string;
  const previous = new Map<string, string>();
  const queue = [start];
  let found: string | undefined;
  while (queue.length > 0 && found === undefined) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        found = node;
        break;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  const path = [start];
  for (let node = found; node !== undefined && node !== start; node = previous.get(node)) path.splice(1, 0, node);
  path.push(start);
  const name = (file: string): string => relative(repositoryRoot, file);
  return `${path.map(name).join(' -> ')}  (component: ${component.map(name).join(', ')})`;
}

describe('import cycles under src/ and providers/', () => {
  const graph = buildGraph([...listSourceFiles(sourceRoot), ...listSourceFiles(providersRoot)]);

  it('parses the module graph, both directories', () => {
    expect(graph.size).toBeGreaterThan(50);
    const edges = [...graph.values()].reduce((sum, targets) => sum + targets.length, 0);
    expect(edges).toBeGreaterThan(graph.size);
    const providerFiles = [...graph.keys()].filter((file) => file.startsWith(`${providersRoot}/`));
    expect(providerFiles.length).toBeGreaterThan(20);
    // Adapters are built on src/: edges from providers/ into src/ are in the graph.
    expect(providerFiles.some((file) => (graph.get(file) ?? []).some((target) => target.startsWith(`${sourceRoot}/`)))).toBe(true);
  });

  it('detects a cycle in a made-up graph', () => {
    const made = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(findCycles(made)).toEqual([['a', 'b', 'c']]);
  });

  const components = findCycles(graph);
  const nameOf = (component: readonly string[]): string => component.map((file) => relative(repositoryRoot, file)).join(',');
  const known = new Set(KNOWN_CYCLES.map((component) => [...component].sort().join(',')));

  it('has no cycles', () => {
    const cycles = components.filter((component) => !known.has(nameOf(component))).map((component) => describeCycle(graph, component));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('still has each known cycle, unchanged (remove fixed ones from KNOWN_CYCLES)', () => {
    const found = new Set(components.map(nameOf));
    expect([...known].filter((component) => !found.has(component))).toEqual([]);
  });
});

/** Folders of src/ an adapter must not reach: an adapter sees only its spec (src/provider-spec.ts and what it uses). */
const OFF_LIMITS_FOR_PROVIDERS: readonly string[] = ['src/router', 'src/gateway'];

/** `from → to` for every import of a file under providers/ that lands in one of `offLimits`. */
function forbiddenProviderImports(graph: ReadonlyMap<string, readonly string[]>, offLimits: readonly string[]): string[] {
  const folders = offLimits.map((folder) => join(repositoryRoot, folder));
  const inside = (file: string, folder: string): boolean => file === folder || file.startsWith(`${folder}/`);
  return [...graph.entries()]
    .filter(([file]) => inside(file, providersRoot))
    .flatMap(([file, targets]) => targets.filter((target) => folders.some((folder) => inside(target, folder))).map((target) => `${relative(repositoryRoot, file)} -> ${relative(repositoryRoot, target)}`));
}

describe('providers/ never import src/router/ or src/gateway/', () => {
  const graph = buildGraph([...listSourceFiles(sourceRoot), ...listSourceFiles(providersRoot)]);

  it('finds such an import when there is one', () => {
    // The rule is checked against real edges: one from an adapter into src/errors.ts is caught when src/ is off limits.
    expect(forbiddenProviderImports(graph, ['src/errors.ts'])).toContain('providers/anthropic/request.ts -> src/errors.ts');
  });

  it('has none', () => {
    const found = forbiddenProviderImports(graph, OFF_LIMITS_FOR_PROVIDERS);
    expect(found, `adapters importing the router or the gateway:\n${found.join('\n')}`).toEqual([]);
  });
});
