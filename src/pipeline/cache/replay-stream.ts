/**
 * Plays a finished response back as a stream, for stream calls answered from the cache (and, through
 * `responseEvents`, for stream calls a stage answered with a whole response). The events are those a
 * live stream of the same answer ends up with: the reasoning, the text, each tool call, the usage,
 * then `finish` carrying the response itself.
 */
import type { StartedStream } from '../context.js';
import type { ChatResponse, StreamEvent } from '../../types.js';

/**
 * The events a stream of `response` has: its reasoning (a `reasoning-delta` and a `reasoning` event
 * per part), one `text-delta` with the whole text (none when the text is empty; a cited answer: one
 * per text part, each cited one followed by its `citations`), per tool call one
 * `tool-call-delta` with the whole arguments JSON then its `tool-call`, `usage`, then `finish`.
 * Tool calls get their delta so a consumer that builds its output from deltas (the gateway's
 * encoders, a UI) sees a replay as it sees a live stream.
 */
export function responseEvents(response: ChatResponse): StreamEvent[] {
  const events: StreamEvent[] = [];
  // Reasoning first, as a provider streams it: each part's text, then the part itself.
  for (const part of response.reasoning) {
    if (part.text !== '') events.push({ type: 'reasoning-delta', text: part.text });
    events.push({ type: 'reasoning', part });
  }
  if (response.textParts === undefined) {
    if (response.text.length > 0) events.push({ type: 'text-delta', text: response.text });
  } else {
    // A cited answer: each piece's text, and after a cited piece its citations, as a live stream shows them.
    for (const part of response.textParts) {
      if (part.text.length > 0) events.push({ type: 'text-delta', text: part.text });
      if (part.citations !== undefined && part.citations.length > 0) events.push({ type: 'citations', text: part.text, citations: part.citations });
    }
  }
  for (const toolCall of response.toolCalls) {
    events.push({ type: 'tool-call-delta', toolCallId: toolCall.id, toolName: toolCall.name, argumentsDelta: JSON.stringify(toolCall.arguments) });
    events.push({ type: 'tool-call', toolCall });
  }
  events.push({ type: 'usage', usage: response.usage });
  events.push({ type: 'finish', response });
  return events;
}

/**
 * A started stream that replays `response` (the events of `responseEvents`), `finish` carrying
 * `response` as given (callers set `cached`, `requestId` and `latencyMs` beforehand). `completion`
 * resolves with `response` at once. The events can be iterated more than once; each iteration
 * replays them all.
 *
 * @example
 * for await (const event of replayStream(response).events) console.log(event.type);
 */
export function replayStream(response: ChatResponse): StartedStream {
  const events = responseEvents(response);
  return {
    events: {
      async *[Symbol.asyncIterator]() {
        yield* events;
      },
    },
    completion: Promise.resolve(response),
  };
}
