/**
 * A simulator and Switchyard's pooled transport shared by the tests of one file or `describe`
 * block: started before the first test, reset before each, closed after the last.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createPooledTransport, type HttpTransport } from '../../src/http/transport.js';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';

/** What the tests use; read it inside tests and hooks (it is empty before the first test starts). */
export interface SimulatorWithTransport {
  readonly simulator: Simulator;
  readonly transport: HttpTransport;
  /**
   * A model name new to each test (`<modelPrefix>-<n>`): the simulator keys faults and behaviours
   * by model, so nothing set up by one test reaches the next.
   */
  readonly model: string;
}

/** Options of `useSimulatorWithTransport`. */
export interface SimulatorFixtureOptions {
  /** The key the simulator checks; its default when absent. */
  readonly apiKey?: string;
  /** @default 'model' */
  readonly modelPrefix?: string;
}

/** Registers the hooks in the calling file or `describe` block and returns what they set up. */
export function useSimulatorWithTransport(options: SimulatorFixtureOptions = {}): SimulatorWithTransport {
  const prefix = options.modelPrefix ?? 'model';
  let simulator: Simulator | undefined;
  let transport: HttpTransport | undefined;
  let tests = 0;
  beforeAll(async () => {
    simulator = await startSimulator(options.apiKey === undefined ? {} : { apiKey: options.apiKey });
    transport = createPooledTransport();
  });
  afterAll(async () => {
    await transport?.close();
    await simulator?.close();
  });
  beforeEach(() => {
    simulator?.reset();
    tests += 1;
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the simulator fixture is read before its beforeAll hook ran');
    return value;
  };
  return {
    get simulator() {
      return started(simulator);
    },
    get transport() {
      return started(transport);
    },
    get model() {
      return `${prefix}-${tests}`;
    },
  };
}
