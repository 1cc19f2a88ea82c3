import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/testing/simulator.js';
import { createRequestSigner } from './sigv4.js';

// The simulator's Converse format checks what Bedrock checks: the SigV4 signature, and the body's
// rules from https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html.
let simulator: Simulator;
const MODEL = 'meta.llama3-1-8b-instruct-v1:0';

beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator.close();
});

/** POSTs a body to /converse, signed with the simulator's credentials unless `signed` is false. */
async function converse(body: unknown, signed = true): Promise<{ status: number; type: string | null; json: unknown }> {
  const url = new URL(`${simulator.url}/model/${encodeURIComponent(MODEL)}/converse`);
  const text = JSON.stringify(body);
  let headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signed) {
    headers = await createRequestSigner(simulator.aws, 'us-east-1')({ method: 'POST', url, headers, body: text });
    delete headers.host;
  }
  const response = await fetch(url, { method: 'POST', headers, body: text });
  return { status: response.status, type: response.headers.get('x-amzn-errortype'), json: await response.json() };
}

const USER = { role: 'user', content: [{ text: 'hi' }] };

describe('the simulator\'s Converse format', () => {
  it('answers a signed request, and refuses an unsigned one as AWS does', async () => {
    const ok = await converse({ messages: [USER] });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ output: { message: { role: 'assistant', content: [{ text: 'Echo: hi' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } });
    const unsigned = await converse({ messages: [USER] }, false);
    expect([unsigned.status, unsigned.type?.split(':')[0]]).toEqual([403, 'MissingAuthenticationTokenException']);
  });

  it.each([
    ['turns that do not alternate', { messages: [USER, USER] }, /alternate between user and assistant/],
    ['a conversation starting with the assistant', { messages: [{ role: 'assistant', content: [{ text: 'x' }] }] }, /start with a user message/],
    ['a block with two members', { messages: [{ role: 'user', content: [{ text: 'a', image: {} }] }] }, /exactly one member/],
    ['tool blocks without toolConfig', { messages: [USER, { role: 'assistant', content: [{ toolUse: { toolUseId: 't', name: 'n', input: {} } }] }, { role: 'user', content: [{ toolResult: { toolUseId: 't', content: [{ text: 'r' }] } }] }] }, /toolConfig field must be defined/],
    ['reasoning with a signature it did not issue', { messages: [USER, { role: 'assistant', content: [{ reasoningContent: { reasoningText: { text: 't', signature: 'forged' } } }, { text: 'a' }] }, USER] }, /signature is not valid/],
    ['a document name with refused characters', { messages: [{ role: 'user', content: [{ document: { format: 'pdf', name: 'a_b.pdf', source: { bytes: 'JVBE' } } }] }] }, /document\.name/],
  ])('refuses %s with a ValidationException', async (_what, body, message) => {
    const refused = await converse(body);
    expect([refused.status, refused.type?.split(':')[0]]).toEqual([400, 'ValidationException']);
    expect((refused.json as { message: string }).message).toMatch(message);
  });
});
