/**
 * `switchyard schema`: prints the JSON Schema of a config file, for editors
 * (`switchyard schema > switchyard.schema.json`; see docs/configuration.md).
 */
import { buildConfigJsonSchema } from '../config/json-schema.js';
import { parseCommandArgs, usageError, type CommandIo } from './config-support.js';

const USAGE = `Usage: switchyard schema

Prints the JSON Schema (draft 2020-12) of a Switchyard config file, generated from the loader's own
schema. Save it and point your editor at it:

  switchyard schema > switchyard.schema.json
  # first line of switchyard.yaml, for VS Code's YAML extension:
  # yaml-language-server: $schema=./switchyard.schema.json

Options:
  -h, --help       print this help
`;

/** Runs `switchyard schema`; resolves with the exit code: 0 printed, 2 usage mistake. */
export async function schemaCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const parsed = parseCommandArgs(argv, {});
  if ('mistake' in parsed) return usageError(io, USAGE, parsed.mistake);
  if (parsed.values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  if (parsed.positionals.length > 0) return usageError(io, USAGE, `Unexpected argument ${JSON.stringify(parsed.positionals[0])}.`);
  io.stdout(`${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`);
  return 0;
}
