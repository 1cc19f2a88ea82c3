#!/usr/bin/env node
/**
 * The `switchyard` command (see `run-cli.ts` for the commands): `validate`, `explain`, `routes`,
 * `schema`, `canary …`, `audit verify`, `--version`, `--help`.
 */
import { runCli } from './run-cli.js';

const io = {
  stdout: (text: string) => void process.stdout.write(text),
  stderr: (text: string) => void process.stderr.write(text),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    io.stderr(`switchyard: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
