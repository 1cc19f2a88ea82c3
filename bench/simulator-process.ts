/**
 * Runs the upstream simulator in its own process for benchmarks, so that the client under test and
 * the server do not share one event loop. Prints `READY <url>` when listening.
 */
import { startSimulator } from '../src/testing/simulator.js';

const simulator = await startSimulator({ record: false, behavior: { latencyMs: Number(process.env.SIM_LATENCY_MS ?? 0), interTokenMs: 0 } });
console.log(`READY ${simulator.url}`);
process.on('SIGTERM', () => {
  void simulator.close().then(() => process.exit(0));
});
