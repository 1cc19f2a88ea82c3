/**
 * The file sink: appends one JSON line per record to `path`, and rotates by size.
 *
 * Rotation: once the file reaches `rotateBytes`, it is renamed to a numbered segment beside it —
 * `audit.jsonl` becomes `audit.000001.jsonl`, then `audit.000002.jsonl`, … (numbers only grow, so
 * a segment never changes name and a shell glob lists them in order before the live file) — and a
 * new `audit.jsonl` starts with a `rotate` marker whose `prevHash` is the last hash of the segment.
 *
 * Opening: the sink continues the chain it finds — the live file's last record, or, when the live
 * file is empty or missing, the newest segment's. An incomplete last line (a crash in the middle of
 * a write) is cut off first; its size and SHA-256 go into the writer's `open` marker.
 *
 * One process writes one file: two writers appending to the same file would interleave chains.
 */
import { createHash } from 'node:crypto';
import { writeSync } from 'node:fs';
import { mkdir, open, readdir, rename, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { ChainHead, SealedRecord } from '../hash-chain.js';
import { readFileTail } from './file-tail.js';
import type { AuditSink, SinkOpening } from './sink.js';

/** Options of `createFileSink`. */
export interface FileSinkOptions {
  /** The live file (absolute, as the config resolves it). */
  readonly path: string;
  /** Rotate once the file reaches this many bytes; 0 never rotates. */
  readonly rotateBytes: number;
}

const SEGMENT_DIGITS = 6;

/** Appends up to this size are written synchronously. */
const SYNC_WRITE_BYTES = 64 * 1024;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The name of segment `number` of the live file `name` (`audit.jsonl`, 3 → `audit.000003.jsonl`). */
export function segmentName(name: string, number: number): string {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  return `${stem}.${String(number).padStart(SEGMENT_DIGITS, '0')}${extension}`;
}

/** Segment files of `name` in `directory`, oldest first, with their numbers. */
export async function listSegments(directory: string, name: string): Promise<{ name: string; number: number }[]> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(\\d{${SEGMENT_DIGITS},})${escapeRegExp(extension)}$`);
  let names: string[];
  try {
    names = (await readdir(directory, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch {
    return [];
  }
  return names
    .map((entry) => ({ name: entry, match: pattern.exec(entry) }))
    .filter((entry): entry is { name: string; match: RegExpExecArray } => entry.match !== null)
    .map((entry) => ({ name: entry.name, number: Number(entry.match[1]) }))
    .sort((left, right) => left.number - right.number);
}

/** Parses a record line far enough to continue its chain. */
export function headOfLine(line: string): ChainHead | undefined {
  try {
    const record = JSON.parse(line) as { seq?: unknown; hash?: unknown };
    if (typeof record.seq === 'number' && Number.isInteger(record.seq) && typeof record.hash === 'string' && /^[0-9a-f]{64}$/.test(record.hash)) {
      return { seq: record.seq, hash: record.hash };
    }
  } catch {
    // Not JSON: reported by the caller.
  }
  return undefined;
}

/** Makes a rename or a new file durable: fsync of the directory (a no-op where unsupported). */
async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot open or sync a directory; the data itself is synced.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Creates a file sink. */
export function createFileSink(options: FileSinkOptions): AuditSink {
  const directory = dirname(options.path);
  const name = basename(options.path);
  let handle: FileHandle | undefined;
  let size = 0;
  let nextSegment = 1;
  let held: Buffer = Buffer.alloc(0);

  async function lastHeadOfSegments(segments: readonly { name: string }[]): Promise<{ head?: ChainHead; warning?: string }> {
    const newest = segments[segments.length - 1];
    if (newest === undefined) return {};
    const segmentHandle = await open(join(directory, newest.name), 'r');
    try {
      const tail = await readFileTail(segmentHandle, (await segmentHandle.stat()).size);
      const head = tail.lastLine === undefined ? undefined : headOfLine(tail.lastLine);
      return head === undefined ? { warning: `the last line of ${newest.name} is not a record; a new chain starts` } : { head };
    } finally {
      await segmentHandle.close();
    }
  }

  return {
    description: `file ${options.path}`,

    async open(): Promise<SinkOpening> {
      await mkdir(directory, { recursive: true });
      const segments = await listSegments(directory, name);
      nextSegment = (segments[segments.length - 1]?.number ?? 0) + 1;
      handle = await open(options.path, 'a+');
      size = (await handle.stat()).size;
      await syncDirectory(directory);
      if (size === 0) return lastHeadOfSegments(segments);
      const tail = await readFileTail(handle, size);
      let recovered: SinkOpening['recovered'];
      if (tail.torn.length > 0) {
        recovered = { tornBytes: tail.torn.length, sha256: createHash('sha256').update(tail.torn).digest('hex') };
        await handle.truncate(tail.tornStart);
        await handle.datasync();
        size = tail.tornStart;
      }
      if (tail.lastLine === undefined) return { ...(recovered === undefined ? {} : { recovered }), ...(await lastHeadOfSegments(segments)) };
      const head = headOfLine(tail.lastLine);
      return {
        ...(recovered === undefined ? {} : { recovered }),
        ...(head === undefined ? { warning: `the last line of ${options.path} is not a record; a new chain starts` } : { head }),
      };
    },

    async write(records: readonly SealedRecord[], sync: boolean): Promise<void> {
      if (records.length > 0) {
        let text = '';
        for (const { line } of records) text += `${line}\n`;
        held = held.length === 0 ? Buffer.from(text, 'utf8') : Buffer.concat([held, Buffer.from(text, 'utf8')]);
      }
      if (handle === undefined) {
        // A rotation that failed half-way left no file open: open the live file again.
        handle = await open(options.path, 'a+');
        size = (await handle.stat()).size;
      }
      while (held.length > 0) {
        // Small appends go straight to the page cache (microseconds); a thread-pool round trip would cost more than the write.
        const bytesWritten = held.length <= SYNC_WRITE_BYTES ? writeSync(handle.fd, held, 0, held.length, null) : (await handle.write(held, 0, held.length, null)).bytesWritten;
        size += bytesWritten;
        held = held.subarray(bytesWritten);
      }
      if (sync) await handle.datasync();
    },

    async sync(): Promise<void> {
      if (handle === undefined) throw new Error(`audit file ${options.path} is not open`);
      await handle.datasync();
    },

    needsRotation() {
      return options.rotateBytes > 0 && size >= options.rotateBytes && held.length === 0;
    },

    async rotate(sync: boolean): Promise<string> {
      if (handle === undefined) throw new Error(`audit file ${options.path} is not open`);
      const segment = segmentName(name, nextSegment);
      await handle.close();
      handle = undefined;
      try {
        await stat(join(directory, segment)).then(
          () => {
            throw new Error(`cannot rotate ${options.path}: ${segment} already exists`);
          },
          () => undefined,
        );
        await rename(options.path, join(directory, segment));
        nextSegment += 1;
        size = 0;
      } finally {
        handle = await open(options.path, 'a+');
        if (size > 0) size = (await handle.stat()).size;
      }
      if (sync) await syncDirectory(directory);
      return segment;
    },

    async close() {
      const closing = handle;
      handle = undefined;
      await closing?.close();
    },
  };
}
