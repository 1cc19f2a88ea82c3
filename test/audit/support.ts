/**
 * Helpers for audit tests: a resolved simulator config with an audit section, and a router with the
 * audit plugin writing to an in-memory callback sink.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditPlugin, type AuditPlugin, type AuditPluginOptions } from '../../src/audit/audit-plugin.js';
import type { AuditRecord, CallRecord } from '../../src/audit/record.js';
import { resolveConfig, type SwitchyardConfigInput } from '../../src/config/index.js';
import type { SwitchyardConfig } from '../../src/config/types.js';
import { createRouter } from '../../src/create-router.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import type { Router } from '../../src/router/router.js';
import type { Simulator } from '../../src/testing/simulator.js';
import { simConfig } from '../support/sim-config.js';

/** A fresh temporary directory for audit files. */
export function temporaryDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'switchyard-audit-'));
}

/** The simulator config with `audit` (and anything else) added, resolved. */
export function auditConfig(simulator: Simulator, audit: NonNullable<SwitchyardConfigInput['audit']>, extra: Partial<SwitchyardConfigInput> = {}): SwitchyardConfig {
  return resolveConfig(simConfig(simulator, { audit, ...extra }));
}

/** A router with the audit plugin (callback sink collecting records), plus any other plugins after it. */
export interface AuditedRouter {
  readonly router: Router;
  readonly plugin: AuditPlugin;
  readonly records: AuditRecord[];
  /** Call records only. */
  calls(): CallRecord[];
  /** The call record of one request. */
  callOf(requestId: string): CallRecord;
}

/** Creates a router whose audit records land in memory. */
export function auditedRouter(config: SwitchyardConfig, options: { plugins?: readonly RouterPlugin[]; plugin?: Partial<AuditPluginOptions> } = {}): AuditedRouter {
  const records: AuditRecord[] = [];
  const plugin = createAuditPlugin({ config, sink: (record) => void records.push(record), ...options.plugin });
  const router = createRouter(config, { audit: plugin, plugins: [...(options.plugins ?? [])] });
  const calls = (): CallRecord[] => records.filter((record): record is CallRecord => record.kind === 'call');
  return {
    router,
    plugin,
    records,
    calls,
    callOf(requestId) {
      const found = calls().filter((record) => record.requestId === requestId);
      if (found.length !== 1) throw new Error(`expected one record for ${requestId}, found ${found.length}`);
      return found[0] as CallRecord;
    },
  };
}
