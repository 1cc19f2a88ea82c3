/**
 * The JSON Schema of a config file, generated from the zod schema (`configSchema`) so the two
 * cannot drift: `switchyard schema > switchyard.schema.json`, then point an editor at it (see
 * docs/configuration.md). It describes the file as written (the input side: durations and sizes as
 * strings or numbers), with the descriptions of `schema.ts` as hover text.
 *
 * What the schema cannot say (checked by the loader only): cross-field rules (a route has targets
 * or a canary, canary weights do not decrease, base URLs per provider type), references between
 * sections (a target's provider exists, fallbacks name routes), the exact grammar of durations and
 * sizes beyond a pattern, and values that come from `${VAR}` (a `${VAR}` string is accepted where a
 * duration or size goes; an enum or number cannot be written as `${VAR}` in either).
 */
import { z } from 'zod';
import { durationSchema } from './duration-schema.js';
import { configSchema } from './schema.js';

/** The id the schema carries (`$id`); editors only need the file or URL it is served from. */
export const CONFIG_SCHEMA_ID = 'https://switchyard.dev/schema/config.json';

/** A duration string: `300ms`, `1.5s`, `10m`, `1h30m` (or a `${VAR}` to interpolate). */
const DURATION_PATTERN = '^\\s*(?:(?:\\d+(?:\\.\\d+)?|\\.\\d+)(?:ms|s|m|h))+\\s*$|\\$\\{';
/** A size string: `100MB`, `512KiB`, `1GB`, `1000` (or a `${VAR}`). */
const SIZE_PATTERN = '^\\s*\\d+(?:\\.\\d+)?\\s*(?:[bB]|[kKmMgG][bB]|[kKmMgG][iI][bB])?\\s*$|\\$\\{';

type JsonSchema = Record<string, unknown>;

interface Definition {
  readonly type: string;
  readonly in?: z.ZodType;
}

function definitionOf(schema: unknown): Definition {
  return (schema as z.ZodType)._zod.def;
}

/** The custom (string-or-number) schema inside the duration pipe, to tell durations from sizes. */
const durationInput = definitionOf(durationSchema).in;

function durationJsonSchema(description: string | undefined): JsonSchema {
  return {
    description: description ?? 'A duration: a string such as 300ms, 30s, 1.5s, 10m, 1h or 1m30s, or a number of milliseconds.',
    anyOf: [
      { type: 'string', pattern: DURATION_PATTERN },
      { type: 'number', minimum: 0 },
    ],
  };
}

function sizeJsonSchema(description: string | undefined): JsonSchema {
  return {
    description: description ?? 'A size: a string such as 100MB, 512KiB or 1GB, or a number of bytes.',
    anyOf: [
      { type: 'string', pattern: SIZE_PATTERN },
      { type: 'number', minimum: 0 },
    ],
  };
}

/**
 * Builds the JSON Schema (draft 2020-12) of a config file. Top-level keys starting with `x-` are
 * allowed (YAML anchors to reuse, ignored by the loader), as the loader allows them.
 */
export function buildConfigJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: (context) => {
      const definition = definitionOf(context.zodSchema);
      if (definition.type !== 'custom') return;
      const description = typeof context.jsonSchema.description === 'string' ? context.jsonSchema.description : undefined;
      const replacement = (context.zodSchema as unknown) === durationInput ? durationJsonSchema(description) : sizeJsonSchema(description);
      for (const key of Object.keys(context.jsonSchema)) delete (context.jsonSchema as JsonSchema)[key];
      Object.assign(context.jsonSchema, replacement);
    },
  }) as JsonSchema;
  const { $schema, ...rest } = generated;
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Switchyard configuration',
    description: 'A Switchyard config file (YAML). Reference: docs/configuration.md.',
    ...rest,
    patternProperties: { '^x-': {} },
  };
}
