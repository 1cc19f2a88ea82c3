/**
 * docs/errors.md and the code cannot drift: its table lists exactly `ERROR_CODES` (in order, each
 * with its own category), and its list of defaults is what `defaultErrorCode` gives.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultErrorCode, ERROR_CATEGORIES, ERROR_CODES } from '../../src/errors.js';

const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

/** The cells of each row of the table whose header starts with `| Code |`. */
function tableRows(markdown: string): string[][] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => line.startsWith('| Code |'));
  expect(header).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line.slice(1, -1).split('|').map((cell) => cell.trim()));
  }
  return rows;
}

/** `name` out of a cell written as `` `name` ``. */
function unquoted(cell: string | undefined): string {
  const match = /^`([^`]+)`$/.exec(cell ?? '');
  if (match === null) throw new Error(`expected a code in backticks, got ${JSON.stringify(cell)}`);
  return match[1] as string;
}

describe('docs/errors.md', () => {
  const rows = tableRows(page);

  it('lists exactly ERROR_CODES, in the same order', () => {
    expect(rows.map((row) => unquoted(row[0]))).toEqual([...ERROR_CODES]);
  });

  it('gives each code its own category and fills every column', () => {
    for (const row of rows) {
      const code = unquoted(row[0]);
      expect(unquoted(row[1])).toBe(code.slice(0, code.indexOf('.')));
      expect(row, code).toHaveLength(6);
      for (const cell of row) expect(cell, code).not.toBe('');
      expect(['yes', 'no', 'next target']).toContain(row[3]);
      expect(['yes', 'no']).toContain(row[4]);
    }
  });

  it('lists the default code of every category as defaultErrorCode gives it', () => {
    const listed = new Map<string, string>();
    for (const match of page.matchAll(/^- `([a-z_]+)` → `([a-z_.]+)`$/gm)) listed.set(match[1] as string, match[2] as string);
    expect([...listed.keys()]).toEqual([...ERROR_CATEGORIES]);
    for (const category of ERROR_CATEGORIES) expect(listed.get(category)).toBe(defaultErrorCode(category));
  });
});
