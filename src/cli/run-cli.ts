/**
 * The `switchyard` command line, as a function of its arguments and where it writes (so tests can
 * run it); `main.ts` binds it to the process.
 */
import { LIBRARY_VERSION } from '../version.js';
import { auditCommand } from './audit-command.js';
import { canaryCommand, type CommandIo } from './canary-command.js';
import type { ConfigCommandOptions } from './config-support.js';
import { explainCommand } from './explain-command.js';
import { routesCommand } from './routes-command.js';
import { schemaCommand } from './schema-command.js';
import { serveCommand } from './serve-command.js';
import { keysCommand } from './keys-command.js';
import { validateCommand } from './validate-command.js';

/** The top-level help. */
export const CLI_USAGE = `Usage: switchyard <command> [options]

Commands:
  validate <config>                      check a config: every problem with its path and line, warnings too
  explain <config> --route <name> [--user <id>] [--tenant <id>]
                                         the target a caller would get and why, and the fallback chain
  routes <config>                        routes, targets, weights, canary steps and policies after defaults
  schema                                 print the config's JSON Schema (for editors)
  serve --config <file> [--host] [--port]
                                         run the gateway (OpenAI- and Anthropic-compatible HTTP, virtual keys)
  keys <create|list|show|disable|delete|usage> --config <file>
                                         manage the gateway's virtual keys in its store
  canary <status|report|promote|pause|resume|abort> --config <file>
                                         read and steer canary rollouts
  audit verify [--strict] <file...>      check the hash chain of audit log files

Options:
  -h, --help                             print this help (every command has its own: switchyard <command> --help)
  -v, --version                          print the version

Exit codes: 0 success, 1 failure (an invalid config, a broken chain...), 2 usage mistake.
`;

/** Runs one command line; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CommandIo, options: ConfigCommandOptions = {}): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'validate':
      return validateCommand(rest, io, options);
    case 'explain':
      return explainCommand(rest, io, options);
    case 'routes':
      return routesCommand(rest, io, options);
    case 'schema':
      return schemaCommand(rest, io);
    case 'audit':
      return auditCommand(rest, io);
    case 'serve':
      return serveCommand(rest, io, options);
    case 'keys':
      return keysCommand(rest, io, options);
    case 'canary':
      return canaryCommand(rest, io);
    case '-v':
    case '--version':
    case 'version':
      io.stdout(`${LIBRARY_VERSION}\n`);
      return 0;
    case '-h':
    case '--help':
    case 'help':
      io.stdout(CLI_USAGE);
      return 0;
    case undefined:
      io.stderr(CLI_USAGE);
      return 2;
    default:
      io.stderr(`switchyard: unknown command ${JSON.stringify(command)}\n\n${CLI_USAGE}`);
      return 2;
  }
}
