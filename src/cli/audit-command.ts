/**
 * `switchyard audit verify <file...>`: checks audit files' hash chain, in the order given, and
 * reports the first broken, missing, reordered or edited record with its file and line.
 * Exit code 0 when the chain holds, 1 when it does not (or, with `--strict`, when there are
 * warnings such as a torn last line), 2 for a usage error.
 */
import { verifyAuditFiles, type VerifyProblem } from '../audit/verify.js';

/** Where the command writes. */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

const USAGE = `usage: switchyard audit verify [--strict] <file...>

Checks the hash chain of audit files, in the order given (oldest first: rotated segments
audit.000001.jsonl, audit.000002.jsonl, ..., then the live audit.jsonl).

  --strict   also fail on warnings (a torn last line, a chain that starts in a file not given)

Exit code: 0 the chain holds, 1 a record was edited, removed or reordered (or a warning under
--strict), 2 usage error.
`;

function describeProblem(problem: VerifyProblem): string {
  return `${problem.file}:${problem.line}: ${problem.kind}: ${problem.message}`;
}

/**
 * Runs `switchyard audit …` with the arguments after `audit` (e.g. `['verify', 'a.jsonl']`).
 *
 * @example
 * const code = await auditCommand(['verify', 'audit/switchyard.jsonl'], { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 */
export async function auditCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if (subcommand !== 'verify') {
    io.stderr(subcommand === undefined ? USAGE : `unknown audit command ${JSON.stringify(subcommand)}\n${USAGE}`);
    return 2;
  }
  const strict = rest.includes('--strict');
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  const unknownOption = rest.find((argument) => argument.startsWith('--') && argument !== '--strict');
  if (unknownOption !== undefined) {
    io.stderr(`unknown option ${unknownOption}\n${USAGE}`);
    return 2;
  }
  const files = rest.filter((argument) => !argument.startsWith('--'));
  if (files.length === 0) {
    io.stderr(`no files given\n${USAGE}`);
    return 2;
  }
  const report = await verifyAuditFiles(files);
  for (const warning of report.warnings) io.stderr(`warning: ${describeProblem(warning)}\n`);
  if (report.failure !== undefined) {
    io.stderr(`FAIL ${describeProblem(report.failure)}\n`);
    io.stderr(`${report.records} record(s) before it verified${report.head === undefined ? '' : ` (up to seq ${report.head.seq})`}\n`);
    return 1;
  }
  const range = report.head === undefined ? 'no records' : `seq ${report.firstSeq ?? 1}..${report.head.seq}, head ${report.head.hash}`;
  io.stdout(`ok: ${report.records} record(s) in ${files.length} file(s) verified; ${range}\n`);
  return strict && report.warnings.length > 0 ? 1 : 0;
}
