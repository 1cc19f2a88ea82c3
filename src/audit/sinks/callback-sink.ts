/**
 * The callback sink: records go to a function the application gives (`createRouter(config,
 * { auditSink })`), one at a time and in chain order; a returned promise is awaited before the next
 * record. A record whose call throws (or rejects) is held with everything after it and offered
 * again on the next write.
 */
import type { SealedRecord } from '../hash-chain.js';
import type { AuditRecord } from '../record.js';
import type { AuditSink } from './sink.js';

/** The application's record handler. */
export type AuditRecordHandler = (record: AuditRecord) => void | Promise<void>;

/** Creates a sink calling `handler` with each record. */
export function createCallbackSink(handler: AuditRecordHandler): AuditSink {
  let held: SealedRecord[] = [];
  return {
    description: 'callback',
    async open() {
      return {};
    },
    async write(records) {
      held.push(...records);
      let index = 0;
      try {
        for (; index < held.length; index += 1) await handler((held[index] as SealedRecord).record);
      } finally {
        held = held.slice(index);
      }
    },
    async close() {
      held = [];
    },
  };
}
