/**
 * Prints the functions with the most self time in a V8 .cpuprofile: `tsx bench/summarise-profile.ts file [top]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

const [file, top = '30'] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: summarise-profile <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[] };
const selfHits = new Map<string, number>();
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
for (const id of profile.samples) {
  const node = byId.get(id);
  if (node === undefined) continue;
  const url = node.callFrame.url.replace(/^.*\/(node_modules|src|providers|bench)\//, '$1/');
  const key = `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
  selfHits.set(key, (selfHits.get(key) ?? 0) + 1);
}
const total = profile.samples.length;
for (const [key, hits] of [...selfHits.entries()].sort((left, right) => right[1] - left[1]).slice(0, Number(top))) {
  console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}
