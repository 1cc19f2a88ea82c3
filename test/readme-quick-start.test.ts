/**
 * The README's keyless quick start, run as written: the block between the `quick-start` markers,
 * with the package's module names pointed at this checkout's sources.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- quick-start:start -->\s*```ts\n([\s\S]*?)```\s*<!-- quick-start:end -->/.exec(readme)?.[1];
  if (block === undefined) throw new Error('README.md has no quick-start block between its markers');
  return block;
}

describe('the README quick start', () => {
  it('fits in 20 lines', () => {
    expect(quickStart().trimEnd().split('\n').length).toBeLessThanOrEqual(20);
  });

  it('runs against the bundled simulator without keys', async () => {
    const source = quickStart()
      .replace("from 'switchyard-llm/testing'", `from ${JSON.stringify(join(ROOT, 'src/testing/index.ts'))}`)
      .replace("from 'switchyard-llm'", `from ${JSON.stringify(join(ROOT, 'src/index.ts'))}`);
    const file = join(ROOT, `.quick-start-${process.pid}.mts`);
    writeFileSync(file, source);
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: '1' } });
      expect(stdout).toContain('Echo: Hi');
      expect(stdout).toMatch(/provider: 'anthropic'/);
    } finally {
      rmSync(file, { force: true });
    }
  }, 30_000);
});
