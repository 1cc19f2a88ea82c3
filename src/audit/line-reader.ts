/**
 * Reads a file line by line without holding it in memory, telling whether the last line ended with
 * a newline (an audit file's last line without one is an incomplete write).
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** One line of a file. */
export interface FileLine {
  /** 1-based. */
  readonly number: number;
  readonly text: string;
  /** False only for a last line with no newline after it. */
  readonly terminated: boolean;
}

/** Yields the lines of a file (an empty file yields none). */
export async function* readLines(path: string): AsyncGenerator<FileLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let number = 0;
  for await (const chunk of createReadStream(path)) {
    pending += decoder.write(chunk as Buffer);
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      number += 1;
      yield { number, text: pending.slice(0, newline), terminated: true };
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  }
  pending += decoder.end();
  if (pending.length > 0) yield { number: number + 1, text: pending, terminated: false };
}
