#!/usr/bin/env node
/**
 * The `switchyard` command: `switchyard audit verify <file...>` checks audit hash chains;
 * `switchyard canary status|promote|pause|resume|abort|report --config file` steers rollouts.
 */
import { auditCommand } from './audit-command.js';
import { canaryCommand } from './canary-command.js';

const USAGE = `usage:
  switchyard audit verify [--strict] <file...>     check the hash chain of audit log files
  switchyard canary <status|report> --config <file> [--route <name>] [--json] [--svg <out.svg>] [--html <out.html>]
  switchyard canary <promote|pause|resume|abort> --config <file> [--route <name>] [--reason <text>] [--actor <name>] [--step <n> (resume)]
  switchyard canary --help                          every canary option
`;

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

/** Runs one command line; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'audit':
      return auditCommand(rest, io);
    case 'canary':
      return canaryCommand(rest, io);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`switchyard: unknown command ${JSON.stringify(command)}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.stderr(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
