/**
 * `npm run demo`: starts the bundled upstream simulator, loads `config/demo.yaml` and sends a few
 * hundred calls (chat and streams) through a 90/10 canary route with a fallback, then prints what
 * each target saw. `npm run demo -- --config config/example.yaml` calls real providers instead,
 * with the API keys from the environment, and sends only a handful of calls.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { createRouter } from '../create-router.js';
import { SwitchyardError } from '../errors.js';
import { startSimulator, type Simulator } from '../testing/simulator.js';
import { DemoSummary, progressBar } from './summary.js';

const USAGE = `Usage: npm run demo -- [options]

Sends calls through a canary route with a fallback against the bundled upstream simulator (no keys
needed), then prints what each target saw.

Options:
  --config <file>        call real providers with this config instead (keys from the environment)
  --calls <n>            how many calls (default: 300 against the simulator, 4 with --config)
  --concurrency <n>      calls in flight at once (default: 16)
  --route <name>         the route to call (default: claude)
  -h, --help             print this help
`;

function parseDemoArgs(): { config?: string; calls?: string; concurrency: string; route: string } {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        config: { type: 'string' },
        calls: { type: 'string' },
        concurrency: { type: 'string', default: '16' },
        route: { type: 'string', default: 'claude' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help === true) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    if (positionals.length > 0) throw new Error(`Unexpected argument ${JSON.stringify(positionals[0])}.`);
    return values;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    process.exit(2);
  }
}

const values = parseDemoArgs();

async function main(): Promise<void> {
  const real = values.config !== undefined;
  let simulator: Simulator | undefined;
  const env: Record<string, string | undefined> = { ...process.env };
  if (!real) {
    simulator = await startSimulator({ seed: 7, behavior: { latencyMs: 20, ttftMs: 15, interTokenMs: 2 } });
    // The candidate (claude-2.1) is a little worse: overload bursts with retry-after and a slow tail.
    simulator.setBehavior('claude-2.1', { latencyMs: 30, ttftMs: 20, interTokenMs: 3, errorRate: 0.25, errorStatuses: [529, 429, 500], retryAfterSeconds: 0, slowTail: { probability: 0.05, extraMs: 150 } });
    simulator.setBehavior('claude-2.0', { latencyMs: 20, ttftMs: 15, interTokenMs: 2, errorRate: 0.03, errorStatuses: [529] });
    env.SIM_URL = simulator.url;
    env.SIM_API_KEY = simulator.apiKey;
    console.log(`upstream simulator listening on ${simulator.url} (Anthropic, OpenAI Chat Completions and Responses, Gemini, Azure OpenAI, Bedrock and Vertex AI wire formats)`);
  }
  const configPath = values.config ?? new URL('../../config/demo.yaml', import.meta.url).pathname;
  const router = createRouter(loadConfig(configPath, { env }));
  const summary = new DemoSummary(router);
  const total = Number(values.calls ?? (real ? 4 : 300));
  const concurrency = Math.max(1, Number(values.concurrency));
  const routeName = typeof values.route === 'string' ? values.route : 'claude';
  console.log(`config ${configPath}: route "${routeName}" →`, router.explain(routeName).candidates.map((c) => `${c.provider}/${c.model} ${(c.share * 100).toFixed(0)}%`).join(', '), `| fallbacks: ${router.explain(routeName).fallbacks.join(', ') || 'none'}`);

  let done = 0;
  let next = 0;
  const interactive = process.stdout.isTTY;
  const started = Date.now();
  async function worker(): Promise<void> {
    while (next < total) {
      const index = next;
      next += 1;
      const user = `user-${index % 60}`;
      const request = { model: routeName, system: 'You are terse.', messages: [{ role: 'user' as const, content: `Question number ${index}: say hello.` }], maxTokens: 64 };
      try {
        if (index % 3 === 0) {
          for await (const _event of router.stream(request, { user, tenant: 'demo' })) {
            // read to the end; the summary counts the calls through router events
          }
        } else {
          await router.chat(request, { user, tenant: 'demo' });
        }
      } catch (error) {
        if (!SwitchyardError.isInstance(error)) throw error;
        if (real) console.log(`call ${index} failed: ${error.category}: ${error.message}`);
      }
      done += 1;
      if (interactive) process.stdout.write(`\r${progressBar(done, total)}`);
      else if (done % Math.max(1, Math.floor(total / 10)) === 0 || done === total) console.log(progressBar(done, total));
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, () => worker()));
  if (interactive) process.stdout.write('\n');
  console.log(`\n${total} calls in ${((Date.now() - started) / 1000).toFixed(2)} s (${concurrency} at a time; every third call streamed)\n`);
  console.log(summary.render());
  const sample = router.explain(routeName, { user: 'user-1' });
  console.log(`\nexplain("${routeName}", { user: "user-1" }) → ${sample.target?.provider}/${sample.target?.model} (${sample.reason})`);
  await router.close();
  await simulator?.close();
}

main().catch((error: unknown) => {
  console.error(SwitchyardError.isInstance(error) ? `${error.category}: ${error.message}` : error);
  process.exitCode = 1;
});
