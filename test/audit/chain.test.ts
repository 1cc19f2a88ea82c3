/**
 * The hash chain in files: `switchyard audit verify` catches edits, deletions, reordering and a torn
 * last line; rotation and restarts carry the chain; a torn tail is recovered on restart.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuditLog, type AuditLog } from '../../src/audit/audit-log.js';
import { sha256OfCanonical } from '../../src/audit/hash-chain.js';
import { AUDIT_SCHEMA_VERSION, type AuditRecord, type CallRecordBody } from '../../src/audit/record.js';
import { createFileSink, segmentName } from '../../src/audit/sinks/file-sink.js';
import { verifyAuditFiles } from '../../src/audit/verify.js';
import { auditCommand } from '../../src/cli/audit-command.js';
import { temporaryDirectory } from './support.js';

function callBody(index: number): CallRecordBody {
  return {
    schema: AUDIT_SCHEMA_VERSION,
    kind: 'call',
    ts: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(),
    requestId: `req-${index}`,
    mode: 'chat',
    route: 'main',
    model: { requested: 'main', target: 'gpt-4o' },
    parameters: { temperature: 0 },
    promptHash: sha256OfCanonical({ index }),
    latencyMs: 12.5,
    outcome: 'ok',
    attempts: [{ route: 'main', provider: 'openai', model: 'gpt-4o', outcome: 'ok', status: 200, ms: 12 }],
    configVersion: 'config-hash',
    libraryVersion: '0.1.0',
  };
}

function fileLog(path: string, rotateBytes = 0, fsync: 'always' | 'batch' | 'none' = 'always'): AuditLog {
  return createAuditLog({
    sink: createFileSink({ path, rotateBytes }),
    fsync,
    queueSize: 100,
    flushIntervalMs: 10,
    markerFields: () => ({ schema: AUDIT_SCHEMA_VERSION, ts: new Date().toISOString(), configVersion: 'config-hash', libraryVersion: '0.1.0' }),
  });
}

async function writeRecords(path: string, from: number, count: number, rotateBytes = 0): Promise<void> {
  const log = fileLog(path, rotateBytes);
  for (let index = from; index < from + count; index += 1) await log.append(callBody(index), `req-${index}`);
  await log.close();
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
}

function writeLines(path: string, content: readonly string[]): void {
  writeFileSync(path, `${content.join('\n')}\n`);
}

async function run(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await auditCommand(argv, { stdout: (text) => (out += text), stderr: (text) => (err += text) });
  return { code, out, err };
}

describe('verify on an intact file', () => {
  it('accepts the chain and reports its range', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 10);
    const records = lines(path).map((line) => JSON.parse(line) as AuditRecord);
    expect(records).toHaveLength(11); // open marker + 10 calls
    expect(records[0]?.kind).toBe('open');
    const result = await run(['verify', path]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain('ok: 11 record(s) in 1 file(s) verified; seq 1..11');
  });
});

describe('verify catches tampering', () => {
  async function tampered(change: (content: string[]) => string[]): Promise<{ path: string; code: number; err: string }> {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 8);
    writeLines(path, change(lines(path)));
    const { code, err } = await run(['verify', path]);
    return { path, code, err };
  }

  it('an edited record (hash left as it was)', async () => {
    const { path, code, err } = await tampered((content) => content.map((line, index) => (index === 3 ? line.replace('"outcome":"ok"', '"outcome":"error"') : line)));
    expect(code).toBe(1);
    expect(err).toContain(`${path}:4: edited: record seq 4 was edited`);
  });

  it('an edited record whose hash was recomputed', async () => {
    const { path, code, err } = await tampered((content) =>
      content.map((line, index) => {
        if (index !== 3) return line;
        const { hash: _hash, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const edited = { ...rest, route: 'other' };
        return JSON.stringify({ ...edited, hash: sha256OfCanonical(edited) });
      }),
    );
    expect(code).toBe(1);
    expect(err).toContain(`${path}:5: broken-link: prevHash of seq 5 is not the hash of seq 4 (audit.jsonl:4)`);
  });

  it('a deleted record', async () => {
    const { path, code, err } = await tampered((content) => content.filter((_line, index) => index !== 4));
    expect(code).toBe(1);
    expect(err).toContain(`${path}:5: missing: 1 record(s) missing: expected seq 5 after audit.jsonl:4, found seq 6`);
  });

  it('two records swapped', async () => {
    const { path, code, err } = await tampered((content) => content.map((line, index, all) => (index === 4 ? (all[5] as string) : index === 5 ? (all[4] as string) : line)));
    expect(code).toBe(1);
    expect(err).toContain(`${path}:5: reordered: records out of order: seq 6 comes before seq 5`);
  });

  it('the last record moved to the front of the chain', async () => {
    const { code, err } = await tampered((content) => [content[content.length - 1] as string, ...content.slice(0, -1)]);
    expect(code).toBe(1);
    expect(err).toMatch(/:1: missing-start: the first record has seq 9/);
  });

  it('the first records removed', async () => {
    const { path, code, err } = await tampered((content) => content.slice(3));
    expect(code).toBe(1);
    expect(err).toContain(`${path}:1: missing-start`);
  });

  it('a line that is not a record', async () => {
    const { path, code, err } = await tampered((content) => [...content.slice(0, 2), 'hello', ...content.slice(2)]);
    expect(code).toBe(1);
    expect(err).toContain(`${path}:3: unreadable: not an audit record: not JSON`);
  });

  it('a line cut short in the middle of the file', async () => {
    const { path, code, err } = await tampered((content) => content.map((line, index) => (index === 2 ? line.slice(0, 40) : line)));
    expect(code).toBe(1);
    expect(err).toContain(`${path}:3: unreadable`);
  });
});

describe('a torn last line', () => {
  it('is a warning that leaves the records before it verified, and a failure under --strict', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 5);
    const content = readFileSync(path, 'utf8');
    const lastStart = content.lastIndexOf('\n', content.length - 2) + 1;
    writeFileSync(path, content.slice(0, lastStart + 57)); // the last record cut after 57 bytes, no newline
    const result = await run(['verify', path]);
    expect(result.code).toBe(0);
    expect(result.err).toContain(`warning: ${path}:6: torn: incomplete last line (57 bytes, no newline)`);
    expect(result.err).not.toMatch(/FAIL|edited|missing|reordered|broken/);
    expect(result.out).toContain('ok: 5 record(s)');
    expect((await run(['verify', '--strict', path])).code).toBe(1);
  });

  it('is cut off by the next writer, which notes it in its open marker and continues the chain', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 3);
    const torn = '{"schema":1,"kind":"call","seq":5,"ts":"2025-';
    appendFileSync(path, torn);
    await writeRecords(path, 4, 2);
    const records = lines(path).map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((record) => record.kind)).toEqual(['open', 'call', 'call', 'call', 'open', 'call', 'call']);
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(records[4]).toMatchObject({ kind: 'open', recovered: { tornBytes: Buffer.byteLength(torn), sha256: sha256Hex(torn) } });
    expect((await run(['verify', path])).code).toBe(0);
  });
});

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

describe('restarts and rotation carry the chain', () => {
  it('a restarted writer continues the chain in the same file', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 3);
    await writeRecords(path, 4, 3);
    const records = lines(path).map((line) => JSON.parse(line) as AuditRecord);
    expect(records[4]).toMatchObject({ kind: 'open', seq: 5, prevHash: records[3]?.hash });
    expect((await run(['verify', path])).code).toBe(0);
  });

  it('rotates into numbered segments, each new file starting with a rotate marker linked to the last hash of the previous one', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'audit.jsonl');
    await writeRecords(path, 1, 40, 2_000);
    const segments = readdirSync(directory).filter((name) => name !== 'audit.jsonl').sort();
    expect(segments.length).toBeGreaterThanOrEqual(3);
    expect(segments[0]).toBe(segmentName('audit.jsonl', 1));
    expect(segments[0]).toBe('audit.000001.jsonl');
    const files = [...segments.map((name) => join(directory, name)), path];
    for (let index = 1; index < files.length; index += 1) {
      const previous = lines(files[index - 1] as string);
      const first = JSON.parse(lines(files[index] as string)[0] as string) as AuditRecord;
      const lastOfPrevious = JSON.parse(previous[previous.length - 1] as string) as AuditRecord;
      expect(first).toMatchObject({ kind: 'rotate', previousFile: segments[index - 1], prevHash: lastOfPrevious.hash, seq: lastOfPrevious.seq + 1 });
    }
    const calls = files.flatMap((file) => lines(file).map((line) => JSON.parse(line) as AuditRecord)).filter((record) => record.kind === 'call');
    expect(calls.map((record) => (record as { requestId: string }).requestId)).toEqual(Array.from({ length: 40 }, (_unused, index) => `req-${index + 1}`));
    expect(await run(['verify', ...files])).toMatchObject({ code: 0, err: '' });

    // Out of order, or with a segment missing: caught.
    const swapped = [files[1] as string, files[0] as string, ...files.slice(2)];
    expect((await run(['verify', ...swapped])).code).toBe(1);
    const gap = await run(['verify', files[0] as string, ...files.slice(2)]);
    expect(gap.code).toBe(1);
    expect(gap.err).toContain('missing');

    // The live file alone is checked from its rotate marker, with a warning that earlier files were not given.
    const alone = await run(['verify', path]);
    expect(alone.code).toBe(0);
    expect(alone.err).toContain('new-chain');
  });

  it('keeps writing to the live file when a rotation fails, reports it, and rotates once it can', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'audit.jsonl');
    mkdirSync(join(directory, 'audit.000001.jsonl')); // the segment name is taken: rotation must fail
    const errors: unknown[] = [];
    const log = createAuditLog({
      sink: createFileSink({ path, rotateBytes: 600 }),
      fsync: 'always',
      queueSize: 100,
      flushIntervalMs: 1_000,
      markerFields: () => ({ schema: AUDIT_SCHEMA_VERSION, ts: new Date().toISOString(), configVersion: 'config-hash', libraryVersion: '0.1.0' }),
      onSinkError: (error) => errors.push(error),
    });
    for (let index = 1; index <= 3; index += 1) await log.append(callBody(index), `req-${index}`);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(String(errors[0])).toContain('audit.000001.jsonl already exists');
    expect(lines(path)).toHaveLength(4);
    rmSync(join(directory, 'audit.000001.jsonl'), { recursive: true });
    await log.append(callBody(4), 'req-4');
    await log.close();
    // The rotation went through once the name was free; the chain holds across every file.
    const files = [...readdirSync(directory).filter((name) => name !== 'audit.jsonl').sort().map((name) => join(directory, name)), path];
    expect(files.length).toBeGreaterThanOrEqual(2);
    const calls = files.flatMap((file) => lines(file).map((line) => JSON.parse(line) as AuditRecord)).filter((record) => record.kind === 'call');
    expect(calls.map((record) => (record as { requestId: string }).requestId)).toEqual(['req-1', 'req-2', 'req-3', 'req-4']);
    expect(await run(['verify', ...files])).toMatchObject({ code: 0, err: '' });
  });

  it('continues from the newest segment when the live file is missing (a crash right after a rotation)', async () => {
    const directory = temporaryDirectory();
    const path = join(directory, 'audit.jsonl');
    await writeRecords(path, 1, 5, 600);
    const segmentsBefore = readdirSync(directory).filter((name) => name !== 'audit.jsonl').length;
    renameSync(path, join(directory, segmentName('audit.jsonl', segmentsBefore + 1)));
    expect(existsSync(path)).toBe(false);
    await writeRecords(path, 6, 2, 0);
    const files = [...readdirSync(directory).filter((name) => name !== 'audit.jsonl').sort().map((name) => join(directory, name)), path];
    expect(lines(path).map((line) => (JSON.parse(line) as AuditRecord).kind)).toEqual(['open', 'call', 'call']);
    expect(await run(['verify', ...files])).toMatchObject({ code: 0, err: '' });
  });
});

describe('the command line', () => {
  it('explains its usage and rejects unknown commands', async () => {
    expect((await run(['--help'])).out).toContain('usage: switchyard audit verify');
    expect((await run([])).code).toBe(2);
    expect((await run(['check', 'x'])).code).toBe(2);
    expect((await run(['verify'])).code).toBe(2);
    expect((await run(['verify', '--fast', 'x'])).code).toBe(2);
  });

  it('reports a file that cannot be read, by name', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    await writeRecords(path, 1, 2);
    const missing = join(temporaryDirectory(), 'nope.jsonl');
    const result = await run(['verify', path, missing]);
    expect(result.code).toBe(1);
    expect(result.err).toContain(`FAIL ${missing}:0: unreadable: cannot read`);
  });

  it('verifyAuditFiles returns the head, for anchoring', async () => {
    const path = join(temporaryDirectory(), 'audit.jsonl');
    const log = fileLog(path);
    await log.append(callBody(1), 'req-1');
    const head = log.head;
    await log.close();
    expect(await verifyAuditFiles([path])).toMatchObject({ ok: true, records: 2, head, firstSeq: 1, warnings: [] });
  });
});
