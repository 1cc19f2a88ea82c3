import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createRouter } from '../../src/create-router.js';
import { redactSecretFragments, SwitchyardError } from '../../src/errors.js';
import { loadOptionalModule } from '../../src/optional-module.js';
import type { ProviderSettings } from '../../src/provider-spec.js';
import type { Simulator } from '../../src/testing/simulator.js';
import { failure } from '../../test/support/failure.js';
import { useSimulator } from '../../test/support/simulator-fixture.js';
import { credentialChain, type CredentialProviderModule } from './credential-chain.js';

// The AWS SDK's default chain (the real @aws-sdk/credential-provider-node) reading real files made
// for each test; the simulator checks every signature with its own credentials.
const SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEJr-profile-session-token-0000000';
const WRONG_SECRET = 'wrong/profile+secret+access+key+000000000';

let simulator: Simulator;
let directory: string;

const fixture = useSimulator({ aws: { accessKeyId: 'AKIASIMPROFILE000001', secretAccessKey: 'sim/profile+secret+access+key+000000001', sessionToken: SESSION_TOKEN } });
beforeEach(() => {
  ({ simulator } = fixture);
  // A directory per test: the SDK caches the files it read by path.
  directory = mkdtempSync(join(tmpdir(), 'switchyard-aws-'));
  writeFileSync(
    join(directory, 'credentials'),
    [
      '[default]',
      'aws_access_key_id = AKIADEFAULTPROFILE01',
      `aws_secret_access_key = ${WRONG_SECRET}`,
      '[switchyard-test]',
      `aws_access_key_id = ${simulator.aws.accessKeyId}`,
      `aws_secret_access_key = ${simulator.aws.secretAccessKey}`,
      `aws_session_token = ${SESSION_TOKEN}`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(directory, 'config'), '');
  vi.stubEnv('AWS_ACCESS_KEY_ID', '');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(directory, 'credentials'));
  vi.stubEnv('AWS_CONFIG_FILE', join(directory, 'config'));
  // No instance metadata service here: the chain must not wait for one.
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(directory, { recursive: true, force: true });
});

function router(api = 'converse') {
  const yaml = ['providers:', `  aws: { type: bedrock, api: ${api}, region: us-east-1, baseUrl: "\${SIM_URL}" }`].join('\n');
  return createRouter(parseConfig(yaml, { env: { SIM_URL: simulator.url } }));
}

function everything(error: SwitchyardError): string {
  return JSON.stringify({ error, message: error.message, cause: String(error.cause), stack: error.stack, attempts: error.attempts });
}

describe('bedrock credentials from the AWS default chain', () => {
  it('signs with the profile AWS_PROFILE names in the shared credentials file', async () => {
    vi.stubEnv('AWS_PROFILE', 'switchyard-test');
    const direct = router();
    try {
      const response = await direct.chat({ model: 'aws/amazon.nova-micro-v1:0', messages: [{ role: 'user', content: 'from a profile' }] });
      expect(response.text).toBe('Echo: from a profile');
      expect(simulator.requests[0]?.headers.authorization).toMatch(/Credential=AKIASIMPROFILE000001\//);
      expect(simulator.requests[0]?.headers['x-amz-security-token']).toBe(SESSION_TOKEN);
    } finally {
      await direct.close();
    }
  });

  it('environment variables win over the profile', async () => {
    vi.stubEnv('AWS_PROFILE', 'default'); // its secret is wrong: signing with it would be refused
    vi.stubEnv('AWS_ACCESS_KEY_ID', simulator.aws.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', simulator.aws.secretAccessKey);
    vi.stubEnv('AWS_SESSION_TOKEN', SESSION_TOKEN);
    const direct = router('invoke');
    try {
      const response = await direct.chat({ model: 'aws/anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: 'env first' }] });
      expect(response.text).toBe('Echo: env first');
    } finally {
      await direct.close();
    }
  });

  it('a profile with a wrong secret is an auth error that never shows the secret', async () => {
    vi.stubEnv('AWS_PROFILE', 'default');
    const direct = router();
    try {
      const error = await failure(direct.chat({ model: 'aws/meta.llama3-8b-instruct-v1:0', messages: [{ role: 'user', content: 'hi' }] }));
      expect([error.category, error.providerCode]).toEqual(['auth', 'UnrecognizedClientException']);
      expect(everything(error)).not.toContain(WRONG_SECRET);
    } finally {
      await direct.close();
    }
  });

  it('a profile that does not exist is an auth error naming it, at the first call', async () => {
    vi.stubEnv('AWS_PROFILE', 'no-such-profile');
    const direct = router();
    try {
      const error = await failure(direct.chat({ model: 'aws/mistral.mistral-large-2402-v1:0', messages: [{ role: 'user', content: 'hi' }] }));
      expect(error.category).toBe('auth');
      expect(error.provider).toBe('aws');
      expect(error.message).toContain('providers.aws: no AWS credentials found for profile no-such-profile');
      expect(everything(error)).not.toContain(simulator.aws.secretAccessKey);
      expect(simulator.requests).toHaveLength(0);
    } finally {
      await direct.close();
    }
  });

  it('renews credentials from credential_process once they near expiry, and not before', async () => {
    const counter = join(directory, 'issued');
    const script = join(directory, 'issue.mjs');
    // Prints temporary credentials expiring in EXPIRES_IN seconds, counting each call.
    writeFileSync(
      script,
      [
        "import { appendFileSync } from 'node:fs';",
        `appendFileSync(${JSON.stringify(counter)}, 'x');`,
        'const expiration = new Date(Date.now() + Number(process.argv[2]) * 1000).toISOString();',
        `console.log(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(simulator.aws.accessKeyId)}, SecretAccessKey: ${JSON.stringify(simulator.aws.secretAccessKey)}, SessionToken: ${JSON.stringify(SESSION_TOKEN)}, Expiration: expiration }));`,
      ].join('\n'),
    );
    const issued = (): number => readFileSync(counter, 'utf8').length;
    writeFileSync(join(directory, 'credentials'), ['[short]', `credential_process = ${process.execPath} ${script} 120`, '[long]', `credential_process = ${process.execPath} ${script} 3600`, ''].join('\n'));
    for (const profile of ['short', 'long']) {
      writeFileSync(counter, '');
      vi.stubEnv('AWS_PROFILE', profile);
      const direct = router();
      try {
        for (const content of ['one', 'two', 'three']) expect((await direct.chat({ model: 'aws/amazon.nova-pro-v1:0', messages: [{ role: 'user', content }] })).text).toBe(`Echo: ${content}`);
        if (profile === 'short') {
          // Two minutes left is inside the SDK's five-minute margin: a signing starts the renewal
          // (the still-valid credentials sign meanwhile), so new ones are fetched before expiry.
          await vi.waitFor(() => {
            expect(issued()).toBeGreaterThanOrEqual(2);
          }, { timeout: 5000 });
        } else {
          expect(issued()).toBe(1); // an hour left: fetched once, kept
        }
      } finally {
        await direct.close();
      }
    }
  });

  // The container credentials endpoint (ECS, EKS Pod Identity) that AWS_CONTAINER_CREDENTIALS_FULL_URI
  // names, failing for real: the SDK tries it (fromHttp, then fromContainerMetadata) and reports only
  // "Could not load credentials from any providers", so the failure must be told from "no credentials".
  async function containerEndpoint(answer: 'server error' | 'refused'): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
    let requests = 0;
    const server: Server = createServer((_request, response) => {
      requests += 1;
      response.writeHead(500, { 'content-type': 'application/json' }).end('{"Code":"InternalError","Message":"try again"}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const close = async (): Promise<void> => {
      if (!server.listening) return;
      server.close();
      await once(server, 'close');
    };
    if (answer === 'refused') await close(); // nothing listens on the port any more
    return { url: `http://127.0.0.1:${String(port)}/v2/credentials/switchyard`, requests: () => requests, close };
  }

  for (const answer of ['server error', 'refused'] as const) {
    it(`a container credentials endpoint that fails (${answer}) is a network error, not "no credentials"`, async () => {
      writeFileSync(join(directory, 'credentials'), ''); // no profile to fall back on
      const endpoint = await containerEndpoint(answer);
      vi.stubEnv('AWS_CONTAINER_CREDENTIALS_FULL_URI', endpoint.url);
      const settings: ProviderSettings = { id: 'aws', type: 'bedrock', baseUrl: simulator.url, region: 'us-east-1', headers: {}, defaultMaxTokens: 64 };
      try {
        const error = await failure(credentialChain(settings, process.env)());
        expect([error.category, error.code, error.provider]).toEqual(['network', 'network.other', 'aws']);
        expect(error.message).toBe('providers.aws: the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) gave no AWS credentials: it did not answer, or answered with an error');
        if (answer === 'server error') expect(endpoint.requests()).toBeGreaterThan(0);
      } finally {
        await endpoint.close();
      }
    });
  }

  it('with no container endpoint configured, the same end of the chain is still "no AWS credentials found" (auth)', async () => {
    writeFileSync(join(directory, 'credentials'), '');
    const settings: ProviderSettings = { id: 'aws', type: 'bedrock', baseUrl: simulator.url, region: 'us-east-1', headers: {}, defaultMaxTokens: 64 };
    const error = await failure(credentialChain(settings, process.env)());
    expect([error.category, error.code]).toEqual(['auth', 'auth.provider']);
    expect(error.message).toBe('providers.aws: no AWS credentials found: Could not load credentials from any providers');
  });

  it('each renewal replaces the previous credentials in the secret registry: only the current ones stay redacted', async () => {
    const settings: ProviderSettings = { id: 'aws', type: 'bedrock', baseUrl: simulator.url, region: 'us-east-1', headers: {}, defaultMaxTokens: 64 };
    // The SDK's provider stood in for by one that rotates on every call (hex: no known key shape, so
    // only the registry can redact them).
    const issued: Array<{ secretAccessKey: string; sessionToken: string }> = [];
    const rotating = (): Promise<CredentialProviderModule> =>
      Promise.resolve({
        defaultProvider: () => () => {
          const credentials = { accessKeyId: 'AKIAROTATING00000001', secretAccessKey: randomBytes(20).toString('hex'), sessionToken: randomBytes(24).toString('hex') };
          issued.push(credentials);
          return Promise.resolve(credentials);
        },
      });
    const source = credentialChain(settings, {}, rotating);
    for (let renewal = 0; renewal < 5; renewal += 1) await source();
    const current = issued[issued.length - 1];
    expect(current).toBeDefined();
    if (current === undefined) return;
    expect(redactSecretFragments(`secret ${current.secretAccessKey} token ${current.sessionToken}`)).toBe('secret [redacted] token [redacted]');
    expect(redactSecretFragments(`cut: ${current.sessionToken.slice(0, 12)}`)).toBe('cut: [redacted]');
    for (const old of issued.slice(0, -1)) expect(redactSecretFragments(`${old.secretAccessKey} ${old.sessionToken}`)).toBe(`${old.secretAccessKey} ${old.sessionToken}`);
  });

  it('without the package and without keys in the environment: a config error saying what to install or set', async () => {
    const settings: ProviderSettings = { id: 'aws', type: 'bedrock', baseUrl: simulator.url, region: 'us-east-1', headers: {}, defaultMaxTokens: 64 };
    const missing = (): Promise<CredentialProviderModule> =>
      loadOptionalModule('@aws-sdk/credential-provider-node', 'AWS credentials', () => Promise.reject(Object.assign(new Error("Cannot find package '@aws-sdk/credential-provider-node' imported from x"), { code: 'ERR_MODULE_NOT_FOUND' })));
    const error = await failure(credentialChain(settings, {}, missing)());
    expect(error.category).toBe('config');
    expect(error.message).toMatch(/^providers\.aws: bedrock needs AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, give apiKey .*, or install @aws-sdk\/credential-provider-node .*\(npm i @aws-sdk\/credential-provider-node\)$/);
  });

  it('half a key pair in the environment is refused when the router is created, naming the missing variable', () => {
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', simulator.aws.secretAccessKey);
    const config = parseConfig(['providers:', '  aws: { type: bedrock, region: us-east-1 }'].join('\n'));
    expect(() => createRouter(config)).toThrow(/bedrock needs AWS credentials: set AWS_ACCESS_KEY_ID \(or give apiKey/);
  });
});
