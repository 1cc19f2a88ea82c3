/**
 * A simulator shared by the tests of one file or `describe` block, with what the tests drive it
 * through (Switchyard's pooled transport, or a router): started before the first test, the
 * simulator reset before each, closed after the last.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { SwitchyardConfigInput } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { createPooledTransport, type HttpTransport } from '../../src/http/transport.js';
import type { Router } from '../../src/router/router-api.js';
import { startSimulator, type Simulator, type SimulatorOptions } from '../../src/testing/simulator.js';

/** Registers the hooks: `open` once the simulator is up, `close` before it closes. Returns what they made. */
function useStarted<T>(options: SimulatorOptions, open: (simulator: Simulator) => T, close: (made: T) => Promise<void>): () => { readonly simulator: Simulator; readonly made: T } {
  let simulator: Simulator | undefined;
  let made: { readonly value: T } | undefined;
  beforeAll(async () => {
    simulator = await startSimulator(options);
    made = { value: open(simulator) };
  });
  afterAll(async () => {
    if (made !== undefined) await close(made.value);
    await simulator?.close();
  });
  beforeEach(() => {
    simulator?.reset();
  });
  return () => {
    if (simulator === undefined || made === undefined) throw new Error('the simulator fixture is read before its beforeAll hook ran');
    return { simulator, made: made.value };
  };
}

/**
 * Registers the hooks in the calling file or `describe` block for a simulator alone, for tests that
 * make their own routers; read `simulator` inside tests and hooks.
 */
export function useSimulator(options: SimulatorOptions = {}): { readonly simulator: Simulator } {
  const started = useStarted(options, () => undefined, () => Promise.resolve());
  return {
    get simulator() {
      return started().simulator;
    },
  };
}

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

/** Options of `useSimulatorWithTransport`: the simulator's, and the models' prefix. */
export interface SimulatorFixtureOptions extends SimulatorOptions {
  /** @default 'model' */
  readonly modelPrefix?: string;
}

/** Registers the hooks in the calling file or `describe` block and returns what they set up. */
export function useSimulatorWithTransport(options: SimulatorFixtureOptions = {}): SimulatorWithTransport {
  const { modelPrefix = 'model', ...simulatorOptions } = options;
  const started = useStarted(simulatorOptions, () => createPooledTransport(), (transport) => transport.close());
  let tests = 0;
  beforeEach(() => {
    tests += 1;
  });
  return {
    get simulator() {
      return started().simulator;
    },
    get transport() {
      return started().made;
    },
    get model() {
      return `${modelPrefix}-${tests}`;
    },
  };
}

/** What `useSimulatorRouter` sets up; read it inside tests and hooks. */
export interface SimulatorWithRouter {
  readonly simulator: Simulator;
  readonly router: Router;
}

/**
 * Registers the hooks in the calling file or `describe` block: a simulator started with `options`
 * and one router made from `config(simulator)`, closed before the simulator.
 */
export function useSimulatorRouter(options: SimulatorOptions, config: (simulator: Simulator) => SwitchyardConfigInput): SimulatorWithRouter {
  const started = useStarted(options, (simulator) => createRouter(config(simulator)), (router) => router.close());
  return {
    get simulator() {
      return started().simulator;
    },
    get router() {
      return started().made;
    },
  };
}
