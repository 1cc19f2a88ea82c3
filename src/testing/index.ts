/**
 * `switchyard-llm/testing`: the upstream simulator, for tests, demos and benchmarks of code that uses
 * Switchyard. Nothing in the library's production path imports it.
 */
export { startSimulator, SIM_AWS_CREDENTIALS } from './simulator.js';
export type { SimServiceAccount } from './formats/google-token.js';
export type { Simulator, SimulatorOptions, SimBehavior, SimFault, SimRequestRecord } from './simulator.js';
export type { SimAnswer, SimParsedRequest, SimFormatName, WireFormat } from './wire-format.js';
export { createSeededRandom } from './seeded-random.js';
