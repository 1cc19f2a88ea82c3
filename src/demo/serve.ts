/**
 * `npm run serve`: the gateway against the bundled upstream simulator, no provider keys needed.
 * Starts the simulator, loads `config/demo.yaml` with a `gateway:` section added (an in-memory
 * store, a demo virtual key and an admin key made up for this run), prints how to call it, and
 * serves until Ctrl-C.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfig } from '../config/index.js';
import { createGateway } from '../gateway/create-gateway.js';
import { startSimulator } from '../testing/simulator.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } });

async function main(): Promise<void> {
  const simulator = await startSimulator({ seed: 7, behavior: { latencyMs: 20, ttftMs: 15, interTokenMs: 5 } });
  const demoKey = `sy-demo${randomBytes(24).toString('base64url')}`;
  const adminKey = `admin-${randomBytes(18).toString('base64url')}`;
  const text = `${readFileSync(new URL('../../config/demo.yaml', import.meta.url), 'utf8')}
gateway:
  host: ${JSON.stringify(values.host)}
  port: ${Number(values.port)}
  adminKey: "\${DEMO_ADMIN_KEY}"
  store: { url: "sqlite::memory:" }
  log: { format: pretty }
  keys:
    - { name: demo-app, key: "\${DEMO_KEY}", tenant: demo, limits: { rpm: 600 } }
`;
  const config = parseConfig(text, { env: { ...process.env, SIM_URL: simulator.url, SIM_API_KEY: simulator.apiKey, DEMO_KEY: demoKey, DEMO_ADMIN_KEY: adminKey }, sourceName: 'config/demo.yaml + gateway' });
  const gateway = await createGateway(config);
  const url = await gateway.listen();
  process.stdout.write(`
Switchyard gateway on ${url} — routes claude (90/10 canary, falls back to gpt4), gpt4, gemini — upstreams simulated at ${simulator.url}

  demo key   ${demoKey}
  admin key  ${adminKey}

OpenAI SDK (any language):  base_url="${url}/v1", api_key="<demo key>", model="claude"
Anthropic SDK:              base_url="${url}", api_key="<demo key>", model="claude"

  curl ${url}/v1/chat/completions -H "Authorization: Bearer ${demoKey}" -H 'content-type: application/json' \\
    -d '{"model":"claude","messages":[{"role":"user","content":"Hello"}]}'
  curl ${url}/v1/claude/complete -H "Authorization: Bearer ${demoKey}" -d '{"prompt":"Hello"}'
  curl -X POST ${url}/admin/api/token -H "Authorization: Bearer ${adminKey}" -d '{"name":"my-app","remain_quota":100000,"unlimited":false}'

Ctrl-C stops it.
`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await gateway.close();
  await simulator.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
