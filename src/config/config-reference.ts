/**
 * The key-by-key reference of docs/configuration.md, rendered from the config's JSON Schema (so
 * from the zod schema's `.describe()` texts): one Markdown table per top-level section, with each
 * key's dotted path, type, default and description. `scripts/config-reference.ts --write` puts it
 * between the markers of the page; `test/config/reference.test.ts` fails when the page is stale.
 *
 * Conventions of the descriptions: one line each; a default goes at the end after ` @default `
 * (`` @default `300s` `` for a value, plain words for anything else).
 */
import { buildConfigJsonSchema } from './json-schema.js';

type JsonSchema = Record<string, unknown>;

/** The markers around the generated part of docs/configuration.md. */
export const REFERENCE_START = '<!-- config-reference:start -->';
export const REFERENCE_END = '<!-- config-reference:end -->';

/** The command that regenerates the reference (named by the test when the page is stale). */
export const REFERENCE_COMMAND = 'npx tsx scripts/config-reference.ts --write';

/** One key of the config, as a row of the reference. */
export interface ReferenceRow {
  /** Dotted path: `providers.<id>.pool.connections`, `routes.<name>.canary.steps[].weight`. */
  readonly path: string;
  /** The table the row belongs to (a top-level key, or a split-off subtree such as the canary). */
  readonly section: string;
  readonly type: string;
  /** From `@default`; `required` for a key its object requires; empty otherwise. */
  readonly defaultValue: string;
  readonly description: string;
  /** A key with no keys below it (a scalar, a list of scalars, or a map of scalars). */
  readonly leaf: boolean;
}

/** The name written for a key of a map, by the map's path. */
const MAP_KEY_NAMES: Readonly<Record<string, string>> = {
  providers: '<id>',
  routes: '<name>',
  pricing: '<model>',
  'providers.<id>.headers': '<header>',
};

/** Subtrees rendered as tables of their own, after their section's table. */
const SPLIT_SECTIONS: readonly string[] = ['routes.<name>.canary'];

const SAFE_INTEGER = Number.MAX_SAFE_INTEGER;
const DEFAULT_MARK = ' @default ';

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function branchesOf(schema: JsonSchema): JsonSchema[] | undefined {
  const branches = schema.anyOf ?? schema.oneOf;
  return Array.isArray(branches) ? branches.filter(isObject) : undefined;
}

function propertiesOf(schema: JsonSchema): Record<string, JsonSchema> | undefined {
  return isObject(schema.properties) ? (schema.properties as Record<string, JsonSchema>) : undefined;
}

/** A duration or size: a pattern-checked string or a non-negative number (see json-schema.ts). */
function unitKind(schema: JsonSchema): 'duration' | 'size' | undefined {
  const branches = branchesOf(schema);
  if (branches?.length !== 2) return undefined;
  const pattern = branches.find((branch) => branch.type === 'string')?.pattern;
  if (typeof pattern !== 'string' || !branches.some((branch) => branch.type === 'number')) return undefined;
  if (pattern.includes('ms|s|m|h')) return 'duration';
  if (pattern.includes('[kKmMgG]')) return 'size';
  return undefined;
}

function code(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function numberType(schema: JsonSchema): string {
  const name = schema.type === 'integer' ? 'integer' : 'number';
  const minimum = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const maximum = typeof schema.maximum === 'number' && schema.maximum < SAFE_INTEGER ? schema.maximum : undefined;
  const exclusiveMinimum = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  const exclusiveMaximum = typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum : undefined;
  const low = exclusiveMinimum !== undefined ? { value: exclusiveMinimum, open: true } : minimum !== undefined && minimum > -SAFE_INTEGER ? { value: minimum, open: false } : undefined;
  const high = exclusiveMaximum !== undefined ? { value: exclusiveMaximum, open: true } : maximum !== undefined ? { value: maximum, open: false } : undefined;
  if (low !== undefined && high !== undefined) return `${name} in ${low.open ? '(' : '['}${low.value}, ${high.value}${high.open ? ')' : ']'}`;
  if (low !== undefined) return `${name} ${low.open ? '>' : '≥'} ${low.value}`;
  if (high !== undefined) return `${name} ${high.open ? '<' : '≤'} ${high.value}`;
  return name;
}

function stringType(schema: JsonSchema): string {
  if (schema.format === 'uri') return 'http(s) URL';
  const minimum = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maximum = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
  if (minimum === 1 && maximum === 1) return 'one character';
  if (minimum > 1) return `string of ≥ ${minimum} characters`;
  return 'string';
}

/** A readable type: `duration`, `integer ≥ 1`, `` `user` | `tenant` ``, `list of string`, `map of `<id>` → object`. */
function typeOf(schema: JsonSchema, path: string): string {
  const unit = unitKind(schema);
  if (unit !== undefined) return unit;
  if ('const' in schema) return code(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(code).join(' | ');
  const branches = branchesOf(schema);
  if (branches !== undefined) {
    if (branches.every((branch) => propertiesOf(branch) !== undefined)) return 'object';
    return [...new Set(branches.map((branch) => typeOf(branch, path)))].join(' | ');
  }
  switch (schema.type) {
    case 'string':
      return stringType(schema);
    case 'number':
    case 'integer':
      return numberType(schema);
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = isObject(schema.items) ? schema.items : {};
      const element = propertiesOf(items) !== undefined ? 'objects' : typeOf(items, `${path}[]`);
      const counts = [
        typeof schema.minItems === 'number' && schema.minItems > 0 ? `at least ${schema.minItems}` : undefined,
        typeof schema.maxItems === 'number' ? `at most ${schema.maxItems}` : undefined,
      ].filter((count) => count !== undefined);
      const list = `list of ${element.includes(' | ') ? `(${element})` : element}`;
      return counts.length === 0 ? list : `${list}, ${counts.join(', ')}`;
    }
    case 'object': {
      if (propertiesOf(schema) !== undefined) return 'object';
      const values = isObject(schema.additionalProperties) ? schema.additionalProperties : {};
      const key = MAP_KEY_NAMES[path] ?? '<key>';
      const value = propertiesOf(values) !== undefined ? 'object' : typeOf(values, `${path}.${key}`);
      return `map of ${code(key)} → ${value}`;
    }
    default:
      return 'any';
  }
}

/** The keys below a schema (an object's properties, or those of every object branch of a union), each with its schemas and whether it is required. */
function childrenOf(schema: JsonSchema): Map<string, { schemas: JsonSchema[]; required: boolean }> | undefined {
  if (unitKind(schema) !== undefined) return undefined;
  const objects = (branchesOf(schema) ?? [schema]).filter((branch) => propertiesOf(branch) !== undefined);
  if (objects.length === 0) return undefined;
  const children = new Map<string, { schemas: JsonSchema[]; required: boolean }>();
  for (const object of objects) {
    const required = Array.isArray(object.required) ? object.required : [];
    for (const [key, child] of Object.entries(propertiesOf(object) ?? {})) {
      const entry = children.get(key) ?? { schemas: [], required: false };
      entry.schemas.push(child);
      entry.required ||= required.includes(key);
      children.set(key, entry);
    }
  }
  return children;
}

/** Where the keys below a node are, and the path prefix they get (`[]` for list items, `.<id>` for map values). */
function containerOf(schema: JsonSchema, path: string): { schema: JsonSchema; path: string } | undefined {
  if (schema.type === 'array' && isObject(schema.items) && propertiesOf(schema.items) !== undefined) return { schema: schema.items, path: `${path}[]` };
  if (schema.type === 'object' && propertiesOf(schema) === undefined && isObject(schema.additionalProperties) && propertiesOf(schema.additionalProperties) !== undefined) {
    return { schema: schema.additionalProperties, path: `${path}.${MAP_KEY_NAMES[path] ?? '<key>'}` };
  }
  if (childrenOf(schema) !== undefined) return { schema, path };
  return undefined;
}

function splitDescription(description: unknown): { description: string; defaultValue: string } {
  const text = typeof description === 'string' ? description.replace(/\s+/g, ' ').trim() : '';
  const at = text.lastIndexOf(DEFAULT_MARK);
  if (at === -1) return { description: text, defaultValue: '' };
  return { description: text.slice(0, at).trim(), defaultValue: text.slice(at + DEFAULT_MARK.length).trim() };
}

function sectionOf(path: string): string {
  return SPLIT_SECTIONS.find((root) => path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}[`)) ?? path.split(/[.[]/, 1)[0] ?? path;
}

/** The schema without its own description, to recognise a subtree already listed elsewhere. */
function shapeKey(schema: JsonSchema): string {
  const { description: _description, ...rest } = schema;
  return JSON.stringify(rest);
}

/** The keys below a node, each with the schema to visit (several schemas of one key, from a union, merged). */
function childEntries(container: { schema: JsonSchema; path: string }): { path: string; schema: JsonSchema; required: boolean }[] {
  return [...(childrenOf(container.schema) ?? [])].flatMap(([name, child]) => {
    const [first] = child.schemas;
    if (first === undefined) return [];
    const merged = child.schemas.length === 1 ? first : { description: child.schemas.find((option) => typeof option.description === 'string')?.description, anyOf: child.schemas };
    return [{ path: `${container.path}.${name}`, schema: merged, required: child.required }];
  });
}

function segments(path: string): number {
  return path.split(/[.[]/).length;
}

/** For each subtree shape, the shortest path where it occurs (the first, among equals). */
function canonicalPaths(roots: readonly { path: string; schema: JsonSchema }[]): Map<string, string> {
  const canonical = new Map<string, string>();
  const visit = (node: JsonSchema, path: string): void => {
    const container = containerOf(node, path);
    if (container === undefined) return;
    const key = shapeKey(node);
    const known = canonical.get(key);
    if (known === undefined || segments(path) < segments(known)) canonical.set(key, path);
    for (const child of childEntries(container)) visit(child.schema, child.path);
  };
  for (const root of roots) visit(root.schema, root.path);
  return canonical;
}

/**
 * Every key of the config, depth first in schema order. A subtree that occurs more than once (the
 * global and route `policies`, the three sets of rate limits, the canary guards) is listed where
 * its path is shortest, and named from the others.
 */
export function collectReferenceRows(schema: JsonSchema = buildConfigJsonSchema()): ReferenceRow[] {
  const required = Array.isArray(schema.required) ? schema.required : [];
  const roots = Object.entries(propertiesOf(schema) ?? {}).map(([path, child]) => ({ path, schema: child, required: required.includes(path) }));
  const canonical = canonicalPaths(roots);
  const rows: ReferenceRow[] = [];

  const visit = (node: JsonSchema, path: string, isRequired: boolean): void => {
    const { description, defaultValue } = splitDescription(node.description);
    const container = containerOf(node, path);
    const same = container === undefined ? undefined : canonical.get(shapeKey(node));
    const elsewhere = same !== undefined && same !== path ? same : undefined;
    const type = elsewhere === undefined ? typeOf(node, path) : `${typeOf(node, path)}, keys as ${code(elsewhere)}`;
    rows.push({ path, section: sectionOf(path), type, defaultValue: defaultValue || (isRequired ? 'required' : ''), description, leaf: container === undefined });
    if (container === undefined || elsewhere !== undefined) return;
    for (const child of childEntries(container)) visit(child.schema, child.path, child.required);
  };

  for (const root of roots) visit(root.schema, root.path, root.required);
  return rows;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** The Markdown between the markers: a table per section, in schema order. */
export function renderConfigReference(schema: JsonSchema = buildConfigJsonSchema()): string {
  const rows = collectReferenceRows(schema);
  const sections = [...new Set(rows.map((row) => row.section))];
  const parts = sections.map((section) => {
    const lines = [`### Reference: \`${section}\``, '', '| Key | Type | Default | Description |', '|---|---|---|---|'];
    for (const row of rows.filter((candidate) => candidate.section === section)) {
      lines.push(`| \`${cell(row.path)}\` | ${cell(row.type)} | ${cell(row.defaultValue === '' ? '—' : row.defaultValue)} | ${cell(row.description)} |`);
    }
    return lines.join('\n');
  });
  return `${parts.join('\n\n')}\n`;
}

/** The page with the text between its markers replaced by `reference`. */
export function replaceReferenceSection(page: string, reference: string): string {
  const start = page.indexOf(REFERENCE_START);
  const end = page.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) throw new Error(`docs/configuration.md has no ${REFERENCE_START} … ${REFERENCE_END} markers`);
  return `${page.slice(0, start + REFERENCE_START.length)}\n<!-- Generated from src/config/schema.ts by \`${REFERENCE_COMMAND}\`; do not edit by hand. -->\n\n${reference}\n${page.slice(end)}`;
}

/** The text between the markers of a page (as `replaceReferenceSection` writes it). */
export function referenceSectionOf(page: string): string | undefined {
  const start = page.indexOf(REFERENCE_START);
  const end = page.indexOf(REFERENCE_END);
  if (start === -1 || end === -1 || end < start) return undefined;
  return page.slice(start, end + REFERENCE_END.length);
}
