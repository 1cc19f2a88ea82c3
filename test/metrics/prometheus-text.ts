/**
 * A small parser of the Prometheus text exposition format (version 0.0.4), for tests: every
 * sample with its labels, and the declared type of each metric family.
 */

/** One sample line. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition. */
export interface Exposition {
  readonly samples: readonly Sample[];
  /** `# TYPE` of each family. */
  readonly types: ReadonlyMap<string, string>;
  /** `# HELP` of each family. */
  readonly help: ReadonlyMap<string, string>;
}

/** A sample value; like Prometheus (Go's ParseFloat), `NaN` and `Inf` in any case (prom-client writes `Nan`). */
function parseValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`not a sample value: ${text}`);
  return value;
}

/** Parses `{a="1",b="x\"y"}` starting at `index` (the `{`); returns the labels and the index after `}`. */
function parseLabels(line: string, index: number): { labels: Record<string, string>; next: number } {
  const labels: Record<string, string> = {};
  let position = index + 1;
  while (line[position] !== '}') {
    const equals = line.indexOf('=', position);
    const name = line.slice(position, equals).trim();
    if (line[equals + 1] !== '"') throw new Error(`expected a quoted label value in: ${line}`);
    let value = '';
    position = equals + 2;
    while (line[position] !== '"') {
      const character = line[position];
      if (character === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (character === '\\') {
        const escaped = line[position + 1];
        value += escaped === 'n' ? '\n' : (escaped ?? '');
        position += 2;
      } else {
        value += character;
        position += 1;
      }
    }
    labels[name] = value;
    position += 1;
    if (line[position] === ',') position += 1;
  }
  return { labels, next: position + 1 };
}

/** Parses a whole exposition; throws on a malformed line. */
export function parsePrometheusText(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('# TYPE ')) {
      const [name, type] = line.slice(7).split(' ');
      if (name !== undefined && type !== undefined) types.set(name, type);
      continue;
    }
    if (line.startsWith('# HELP ')) {
      const rest = line.slice(7);
      const space = rest.indexOf(' ');
      help.set(rest.slice(0, space), rest.slice(space + 1));
      continue;
    }
    if (line.startsWith('#')) continue;
    const match = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const name = match[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const parsed = parseLabels(rest, 0);
      labels = parsed.labels;
      rest = rest.slice(parsed.next);
    }
    const [valueText] = rest.trim().split(/\s+/);
    samples.push({ name, labels, value: parseValue(valueText ?? '') });
  }
  return { samples, types, help };
}

/** Samples of `name` whose labels include `labels`. */
export function samplesOf(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): Sample[] {
  return exposition.samples.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
}

/** The sum of the samples of `name` whose labels include `labels` (0 when none). */
export function sumOf(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return samplesOf(exposition, name, labels).reduce((sum, sample) => sum + sample.value, 0);
}
