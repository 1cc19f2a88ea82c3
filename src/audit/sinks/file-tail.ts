/**
 * Reading the end of an audit file: its last complete line (to continue the chain from), and an
 * incomplete line after it, which only a crash in the middle of a write leaves behind.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** The end of a file. */
export interface FileTail {
  /** The last line that ends with a newline, without it. */
  readonly lastLine?: string;
  /** Where the bytes after the last newline start (the file's size when there are none). */
  readonly tornStart: number;
  /** The bytes after the last newline: an incomplete line. */
  readonly torn: Buffer;
}

/** Reads backwards from the end of a file of `size` bytes until the last complete line is known. */
export async function readFileTail(handle: FileHandle, size: number): Promise<FileTail> {
  let buffer = Buffer.alloc(0);
  let bufferStart = size;
  for (;;) {
    const start = Math.max(0, bufferStart - CHUNK_BYTES);
    const chunk = Buffer.alloc(bufferStart - start);
    let filled = 0;
    while (filled < chunk.length) {
      const { bytesRead } = await handle.read(chunk, filled, chunk.length - filled, start + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    buffer = Buffer.concat([chunk.subarray(0, filled), buffer]);
    bufferStart = start;
    const lastNewline = buffer.lastIndexOf(NEWLINE);
    const previousNewline = lastNewline > 0 ? buffer.lastIndexOf(NEWLINE, lastNewline - 1) : -1;
    const complete = lastNewline < 0 ? bufferStart === 0 : previousNewline >= 0 || bufferStart === 0;
    if (!complete) continue;
    const torn = buffer.subarray(lastNewline + 1);
    return {
      ...(lastNewline < 0 ? {} : { lastLine: buffer.subarray(previousNewline + 1, lastNewline).toString('utf8') }),
      tornStart: bufferStart + lastNewline + 1,
      torn,
    };
  }
}
