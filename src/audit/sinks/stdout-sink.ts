/**
 * The stdout sink: one JSON line per record on the process's standard output (or another writable
 * stream), for collectors that read container logs. A write that fails is held and retried.
 */
import type { Writable } from 'node:stream';
import type { AuditSink } from './sink.js';

/** Creates a sink writing lines to `stream` (default `process.stdout`). */
export function createStdoutSink(stream: Writable = process.stdout): AuditSink {
  let held = '';
  let lastError: Error | undefined;
  // Without a listener, a stream error (EPIPE) would crash the process; the failed write reports it.
  const onError = (error: Error): void => {
    lastError = error;
  };
  return {
    description: 'stdout',
    async open() {
      stream.on('error', onError);
      return {};
    },
    async write(records) {
      for (const { line } of records) held += `${line}\n`;
      if (held === '') return;
      const text = held;
      await new Promise<void>((resolve, reject) => {
        stream.write(text, (error) => {
          if (error !== undefined && error !== null) reject(error);
          else if (lastError !== undefined) reject(lastError);
          else resolve();
        });
      }).finally(() => {
        lastError = undefined;
      });
      held = held.slice(text.length);
    },
    async close() {
      stream.off('error', onError);
    },
  };
}
