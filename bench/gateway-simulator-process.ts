/**
 * The upstream simulator for `bench/gateway.ts`, in its own process: every model answers at once,
 * except the model named by `SIM_SLOW_MODEL` (default `slow-model`), whose streams wait
 * `SIM_SLOW_INTER_TOKEN_MS` (default 1,000) between events, so that a thousand streams stay open
 * while a server's memory is read. Prints `READY <url>` when listening.
 */
import { startSimulator } from '../src/testing/simulator.js';

const simulator = await startSimulator({ record: false, behavior: { latencyMs: 0, interTokenMs: 0 } });
simulator.setBehavior(process.env.SIM_SLOW_MODEL ?? 'slow-model', { latencyMs: 0, interTokenMs: Number(process.env.SIM_SLOW_INTER_TOKEN_MS ?? 1_000) });
console.log(`READY ${simulator.url}`);
process.on('SIGTERM', () => {
  void simulator.close().then(() => process.exit(0));
});
