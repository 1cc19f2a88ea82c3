/**
 * Calls through a router for tests that run the same conversation both ways (`chat()` and
 * `stream()`), and the tool results that answer a response's calls.
 */
import type { Router } from '../../src/router/router-api.js';
import type { ChatRequest, ChatResponse, Message, StreamEvent } from '../../src/types.js';

/** Which of the router's calls a test goes through. */
export type CallMode = 'chat' | 'stream';

/** One call, through `chat()` or `stream()`; a stream's events are returned beside its finish response. */
export async function callRouter(router: Router, mode: CallMode, request: ChatRequest): Promise<{ response: ChatResponse; events: StreamEvent[] }> {
  if (mode === 'chat') return { response: await router.chat(request), events: [] };
  const events: StreamEvent[] = [];
  for await (const event of router.stream(request)) events.push(event);
  const finish = events.at(-1);
  if (finish?.type !== 'finish') throw new Error('the stream did not finish');
  return { response: finish.response, events };
}

/** A tool result, `content`, for each of the response's tool calls. */
export function toolResultsFor(response: ChatResponse, content = '21 degrees'): Message[] {
  return response.toolCalls.map((toolCall) => ({ role: 'tool', toolCallId: toolCall.id, name: toolCall.name, content }));
}
