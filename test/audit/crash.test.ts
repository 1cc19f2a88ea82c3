/**
 * The crash test: a child process writing audit records with `fsync: always` is killed with SIGKILL
 * mid-run. Every call that returned has its record on disk; at most the records being written are
 * missing; the verifier reports a torn last line (if the kill left one) as such, never as tampering
 * of earlier records; and a new writer continues the chain after cutting the torn tail.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { AUDIT_SCHEMA_VERSION, type AuditRecord } from '../../src/audit/record.js';
import { createFileSink } from '../../src/audit/sinks/file-sink.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { temporaryDirectory } from './support.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKERS = 4;
const ACKS_BEFORE_KILL = 150;

/** Runs the writer until it acknowledged `acks` calls, kills it with SIGKILL, returns the acknowledged ids. */
async function runAndKill(path: string, acks: number): Promise<string[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const acknowledged: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('ACK ')) acknowledged.push(line.slice(4));
      if (acknowledged.length >= acks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`the writer exited early: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');
  return acknowledged;
}

function completeRecords(path: string): AuditRecord[] {
  const text = readFileSync(path, 'utf8');
  return text
    .slice(0, text.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditRecord);
}

describe('a writer killed with SIGKILL mid-run (fsync: always)', () => {
  it('keeps the record of every call that returned, loses at most those being written, and verifies cleanly', { timeout: 30_000 }, async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const acknowledged = await runAndKill(path, ACKS_BEFORE_KILL);

    const records = completeRecords(path);
    const written = new Set(records.flatMap((record) => (record.kind === 'call' ? [record.requestId] : [])));
    expect(acknowledged.filter((requestId) => !written.has(requestId))).toEqual([]); // every returned call is on disk
    // Written but not acknowledged: at most one per worker (the calls in flight at the kill).
    expect(written.size - new Set(acknowledged).size).toBeLessThanOrEqual(WORKERS);

    const report = await verifyAuditFiles([path]);
    expect(report.ok).toBe(true);
    expect(report.failure).toBeUndefined();
    expect(report.records).toBe(records.length);
    expect(report.warnings.every((warning) => warning.kind === 'torn')).toBe(true);

    // A write cut short by the kill: simulated on a copy, since a kill rarely lands inside write(2).
    const torn = join(temporaryDirectory(), 'torn.jsonl');
    copyFileSync(path, torn);
    const lastLine = readFileSync(path, 'utf8').trimEnd().split('\n').at(-1) as string;
    appendFileSync(torn, lastLine.replace(/"seq":\d+/, `"seq":${records.length + 1}`).slice(0, 700));
    const tornReport = await verifyAuditFiles([torn]);
    expect(tornReport).toMatchObject({ ok: true, records: records.length });
    expect(tornReport.warnings).toEqual([expect.objectContaining({ kind: 'torn', line: records.length + 1 })]);

    // A restarted writer cuts the torn tail, notes it, and continues the chain.
    const log = createAuditLog({
      sink: createFileSink({ path: torn, rotateBytes: 0 }),
      fsync: 'always',
      queueSize: 10,
      flushIntervalMs: 1_000,
      markerFields: () => ({ schema: AUDIT_SCHEMA_VERSION, ts: new Date().toISOString(), configVersion: 'v', libraryVersion: '0.1.0' }),
    });
    await log.flush();
    await log.close();
    const after = completeRecords(torn);
    expect(after.at(-1)).toMatchObject({ kind: 'open', seq: records.length + 1, recovered: { tornBytes: 700 } });
    expect(await verifyAuditFiles([torn])).toMatchObject({ ok: true, records: records.length + 1, warnings: [] });
  });
});
