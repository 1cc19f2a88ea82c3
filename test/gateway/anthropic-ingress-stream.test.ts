/**
 * The Anthropic Messages ingress's event stream: the frames for each kind of answer, replayed
 * through the official SDK's own `MessageStream` accumulator against `toMessage`, and the
 * encoder's iterator contract (failures before and after the first frame, early stops,
 * overlapping calls).
 */
import { Stream } from '@anthropic-ai/sdk/core/streaming';
import { MessageStream } from '@anthropic-ai/sdk/lib/MessageStream';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../src/errors.js';
import { anthropicError, encodeMessagesStream, MessagesStreamFrames, toMessage, type AnthropicMessage } from '../../src/gateway/ingress/anthropic/index.js';
import type { ChatResponse, Citation, StreamEvent, ToolCall } from '../../src/types.js';
import { failure } from '../support/failure.js';
import { scriptedSource } from '../support/scripted-source.js';

/** A unified answer, with the fields a test cares about replaced. */
function answer(changes: Partial<ChatResponse> = {}): ChatResponse {
  return {
    id: 'msg_01Abc',
    text: 'Hello there.',
    toolCalls: [],
    reasoning: [],
    message: { role: 'assistant', content: 'Hello there.' },
    finishReason: 'stop',
    rawFinishReason: 'end_turn',
    usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 },
    route: 'claude',
    target: { provider: 'anthropic', model: 'claude-x' },
    attempts: [],
    latencyMs: 5,
    requestId: 'req-1',
    cached: false,
    ...changes,
  };
}

const weather: ToolCall = { id: 'toolu_01', name: 'get_weather', arguments: { city: 'Paris', days: 2 } };
const clock: ToolCall = { id: 'call_9', name: 'now', arguments: {} };
/** `weather`'s arguments in pieces, as a provider streams them. */
const WEATHER_DELTAS: StreamEvent[] = ['{"city":', ' "Paris", ', '"days": 2}'].map((argumentsDelta) => ({ type: 'tool-call-delta', toolCallId: weather.id, toolName: weather.name, argumentsDelta }));
const CLOCK_DELTA: StreamEvent = { type: 'tool-call-delta', toolCallId: clock.id, toolName: clock.name, argumentsDelta: '{}' };

interface Frame {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** Splits SSE text into frames, checking each is `event:` then `data:` with a matching `type`. */
function framesOf(text: string): Frame[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((raw) => {
      const match = /^event: ([a-z_]+)\ndata: (.+)$/.exec(raw);
      expect(match, raw).not.toBeNull();
      const [, event = '', json = ''] = match ?? [];
      const data = JSON.parse(json) as Record<string, unknown>;
      expect(data.type).toBe(event);
      return { event, data };
    });
}

/** Every frame the frame writer gives for `events`, as one text. */
function writeAll(events: readonly StreamEvent[], options = { id: 'msg_stream1', requestedModel: 'claude' }): string {
  const frames = new MessagesStreamFrames(options);
  return events.map((event) => frames.write(event)).join('');
}

/**
 * The message the official SDK's `MessageStream` accumulates from SSE text, without the
 * `parsed_output` its structured-output parser adds to every message it hands out.
 */
async function sdkFinalMessage(sse: string): Promise<unknown> {
  const events = Stream.fromSSEResponse(new Response(sse, { headers: { 'content-type': 'text/event-stream' } }), new AbortController());
  const stream = MessageStream.fromReadableStream(events.toReadableStream());
  const { parsed_output: parsedOutput, ...message } = JSON.parse(JSON.stringify(await stream.finalMessage())) as Record<string, unknown>;
  expect(parsedOutput).toBeNull();
  return message;
}

describe('the stream frames', () => {
  it('send a cited block’s citations after its text and end the block there; later text opens a new block', async () => {
    const citation: Citation = { type: 'char_location', citedText: 'The grass is green.', documentIndex: 0, start: 0, end: 19, provider: 'anthropic' };
    const textParts = [{ type: 'text' as const, text: 'Yes: ' }, { type: 'text' as const, text: 'it is green', citations: [citation] }, { type: 'text' as const, text: '.' }];
    const response = answer({ text: 'Yes: it is green.', textParts });
    const sse = writeAll([
      { type: 'text-delta', text: 'Yes: ' },
      { type: 'text-delta', text: 'it is green' },
      { type: 'citations', text: 'it is green', citations: [citation] },
      { type: 'text-delta', text: '.' },
      { type: 'finish', response },
    ]);
    const frames = framesOf(sse).filter((frame) => frame.event.startsWith('content_block'));
    expect(frames.map((frame) => `${frame.event}:${frame.data.index as number}${frame.event === 'content_block_delta' ? `:${(frame.data.delta as { type: string }).type}` : ''}`)).toEqual([
      'content_block_start:0',
      'content_block_delta:0:text_delta',
      'content_block_delta:0:text_delta',
      'content_block_delta:0:citations_delta',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1:text_delta',
      'content_block_stop:1',
    ]);
    const wire = { type: 'char_location', cited_text: 'The grass is green.', document_index: 0, document_title: null, start_char_index: 0, end_char_index: 19, file_id: null };
    expect(frames[3]?.data.delta).toEqual({ type: 'citations_delta', citation: wire });
    // The SDK assembles the cited block; the whole answer keeps the upstream's three blocks.
    expect((await sdkFinalMessage(sse)) as AnthropicMessage).toMatchObject({ content: [{ type: 'text', text: 'Yes: it is green', citations: [wire] }, { type: 'text', text: '.' }] });
    expect(toMessage(response, 'claude').content).toEqual([{ type: 'text', text: 'Yes: ' }, { type: 'text', text: 'it is green', citations: [wire] }, { type: 'text', text: '.' }]);
  });

  it('follow the documented sequence for a text answer', () => {
    const response = answer({ text: 'Hello there.', usage: { inputTokens: 12, outputTokens: 3, totalTokens: 15 } });
    const text = writeAll([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ' there.' },
      { type: 'usage', usage: response.usage },
      { type: 'finish', response },
    ]);
    expect(framesOf(text)).toStrictEqual([
      {
        event: 'message_start',
        data: {
          type: 'message_start',
          message: { id: 'msg_stream1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
        },
      },
      { event: 'content_block_start', data: { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } } },
      { event: 'ping', data: { type: 'ping' } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } } },
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ' there.' } } },
      { event: 'content_block_stop', data: { type: 'content_block_stop', index: 0 } },
      {
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: { input_tokens: 12, output_tokens: 3 },
          switchyard: { route: 'claude', provider: 'anthropic', model: 'claude-x', upstream_finish_reason: 'end_turn' },
        },
      },
      { event: 'message_stop', data: { type: 'message_stop' } },
    ]);
  });

  it('give each tool call a tool_use block with empty input, one input_json_delta with all of it, and a stop', () => {
    const response = answer({ text: 'Checking.', toolCalls: [weather, clock], finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
    const frames = framesOf(writeAll([{ type: 'text-delta', text: 'Checking.' }, { type: 'tool-call', toolCall: weather }, { type: 'tool-call', toolCall: clock }, { type: 'finish', response }]));
    expect(frames.map((frame) => `${frame.event}${frame.data.index === undefined ? '' : `:${frame.data.index as number}`}`)).toEqual([
      'message_start',
      'content_block_start:0',
      'ping',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_stop:1',
      'content_block_start:2',
      'content_block_delta:2',
      'content_block_stop:2',
      'message_delta',
      'message_stop',
    ]);
    expect(frames[5]?.data.content_block).toStrictEqual({ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} });
    expect(frames[6]?.data.delta).toStrictEqual({ type: 'input_json_delta', partial_json: '{"city":"Paris","days":2}' });
    expect(frames[11]?.data.delta).toStrictEqual({ stop_reason: 'tool_use', stop_sequence: null });
  });

  it('stream a call\'s argument deltas into its tool_use block, and close it at its tool-call', () => {
    const response = answer({ text: '', toolCalls: [weather], finishReason: 'tool_calls', rawFinishReason: 'tool_use' });
    const frames = framesOf(writeAll([...WEATHER_DELTAS, { type: 'tool-call', toolCall: weather }, { type: 'finish', response }]));
    expect(frames.map((frame) => frame.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
    expect(frames[1]?.data.content_block).toStrictEqual({ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} });
    expect(frames.slice(3, 6).map((frame) => frame.data.delta)).toStrictEqual(['{"city":', ' "Paris", ', '"days": 2}'].map((partial_json) => ({ type: 'input_json_delta', partial_json })));
  });

  it('close a streamed call\'s block when text follows before its tool-call, and add nothing at the tool-call', () => {
    const response = answer({ text: 'done', toolCalls: [weather] });
    const frames = framesOf(writeAll([...WEATHER_DELTAS, { type: 'text-delta', text: 'done' }, { type: 'tool-call', toolCall: weather }, { type: 'finish', response }]));
    expect(frames.map((frame) => `${frame.event}${frame.data.index === undefined ? '' : `:${frame.data.index as number}`}`)).toEqual([
      'message_start',
      'content_block_start:0',
      'ping',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_delta:0',
      'content_block_stop:0',
      'content_block_start:1',
      'content_block_delta:1',
      'content_block_stop:1',
      'message_delta',
      'message_stop',
    ]);
  });

  it('ping after the first block even when it is a tool call, and open a new text block after a tool call', () => {
    const response = answer({ text: 'done', toolCalls: [clock] });
    const events = framesOf(writeAll([{ type: 'tool-call', toolCall: clock }, { type: 'text-delta', text: 'done' }, { type: 'finish', response }]));
    expect(events.map((frame) => frame.event).slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(events.filter((frame) => frame.event === 'content_block_start').map((frame) => [frame.data.index, (frame.data.content_block as { type: string }).type])).toEqual([
      [0, 'tool_use'],
      [1, 'text'],
    ]);
  });

  it('announce the input estimate first and the final counts last', () => {
    const frames = new MessagesStreamFrames({ id: 'msg_1', requestedModel: 'claude', inputTokensHint: 40 });
    const start = framesOf(frames.write({ type: 'text-delta', text: 'a' }))[0];
    expect((start?.data.message as { usage: unknown }).usage).toStrictEqual({ input_tokens: 40, output_tokens: 0 });
    const end = framesOf(frames.write({ type: 'finish', response: answer({ text: 'a', usage: { inputTokens: 42, outputTokens: 1, totalTokens: 43, cachedInputTokens: 30 } }) }));
    expect(end.find((frame) => frame.event === 'message_delta')?.data.usage).toStrictEqual({ input_tokens: 12, output_tokens: 1, cache_read_input_tokens: 30 });
  });

  const cases: [string, StreamEvent[], ChatResponse][] = [
    ['text', [{ type: 'text-delta', text: 'Hello' }, { type: 'text-delta', text: ' there.' }], answer()],
    ['text and tools', [{ type: 'text-delta', text: 'Checking.' }, { type: 'tool-call', toolCall: weather }, { type: 'tool-call', toolCall: clock }], answer({ text: 'Checking.', toolCalls: [weather, clock], finishReason: 'tool_calls', rawFinishReason: 'tool_use' })],
    ['tools only', [{ type: 'tool-call', toolCall: weather }], answer({ text: '', toolCalls: [weather], finishReason: 'tool_calls', rawFinishReason: 'tool_calls' })],
    // As the OpenAI adapter streams them: every call's deltas first, the completed calls at the end.
    ['tools streamed as deltas', [{ type: 'text-delta', text: 'Checking.' }, ...WEATHER_DELTAS, CLOCK_DELTA, { type: 'tool-call', toolCall: weather }, { type: 'tool-call', toolCall: clock }], answer({ text: 'Checking.', toolCalls: [weather, clock], finishReason: 'tool_calls', rawFinishReason: 'tool_use' })],
    ['an empty answer', [], answer({ text: '', finishReason: 'length', rawFinishReason: 'max_tokens' })],
    ['cached input', [{ type: 'text-delta', text: 'Hello there.' }], answer({ usage: { inputTokens: 900, outputTokens: 3, totalTokens: 903, cachedInputTokens: 800 } })],
    ['a stop sequence', [{ type: 'text-delta', text: 'Hello there.' }], answer({ rawFinishReason: 'stop_sequence' })],
  ];
  it.each(cases)('(%s) rebuild, in the official SDK’s MessageStream, exactly the message toMessage gives', async (_name, events, response) => {
    const options = { id: 'msg_01Abc', requestedModel: 'claude', stopSequences: ['###'] };
    const frames = new MessagesStreamFrames(options);
    const sse = [...events, { type: 'finish', response } as const].map((event) => frames.write(event)).join('');
    const whole: AnthropicMessage = toMessage(response, 'claude', { stopSequences: ['###'] });
    expect(await sdkFinalMessage(sse)).toStrictEqual(JSON.parse(JSON.stringify(whole)));
  });

  it('end a broken stream with one error frame and nothing after it', () => {
    const frames = new MessagesStreamFrames({ id: 'msg_1', requestedModel: 'claude' });
    frames.write({ type: 'text-delta', text: 'partial' });
    const text = frames.fail(new SwitchyardError({ category: 'overloaded', message: 'anthropic/claude-x 529 overloaded (Overloaded)' }));
    expect(framesOf(text)).toStrictEqual([{ event: 'error', data: { type: 'error', error: { type: 'overloaded_error', message: 'anthropic/claude-x 529 overloaded (Overloaded)' } } }]);
    expect(frames.write({ type: 'text-delta', text: 'more' })).toBe('');
    expect(frames.fail(new SwitchyardError({ category: 'server', message: 'again' }))).toBe('');
  });
});

/** Everything an iterator hands out, and how it ended. */
async function drain(iterator: AsyncIterable<string>): Promise<{ readonly text: string; readonly error?: unknown }> {
  let text = '';
  try {
    for await (const chunk of iterator) text += chunk;
  } catch (error) {
    return { text, error };
  }
  return { text };
}

describe('encodeMessagesStream', () => {
  const finish: StreamEvent = { type: 'finish', response: answer({ text: 'ab' }) };
  const options = { id: 'msg_enc', requestedModel: 'claude' };

  it('hands out one string per event that adds frames, and reads the source to its end', async () => {
    const source = scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }, { type: 'usage', usage: finish.type === 'finish' ? finish.response.usage : ({} as never) }, { type: 'text-delta', text: 'b' }, finish]);
    const chunks: string[] = [];
    for await (const chunk of encodeMessagesStream(source.iterable, options)) chunks.push(chunk);
    expect(chunks).toHaveLength(3);
    expect(framesOf(chunks[0] ?? '').map((frame) => frame.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta']);
    expect(framesOf(chunks[2] ?? '').map((frame) => frame.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(source.reads()).toBe(5); // four events, then the end
    expect(source.closed()).toBe(false);
  });

  it('lets a failure before the first frame propagate as it came, with no frame', async () => {
    const cause = new SwitchyardError({ category: 'rate_limit', message: 'all 3 attempts failed', retryAfterMs: 2000 });
    const source = scriptedSource<StreamEvent>([], { failAfter: 0, failWith: cause });
    const result = await drain(encodeMessagesStream(source.iterable, options));
    expect(result).toEqual({ text: '', error: cause });
    expect(result.error).toBe(cause);
  });

  it('ends with an error frame and no message_stop when the source fails after output', async () => {
    const cause = new SwitchyardError({ category: 'network', message: 'network error (ECONNRESET): socket hang up at http://10.1.2.3:8443/v1/messages' });
    const source = scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }, { type: 'text-delta', text: 'b' }], { failAfter: 2, failWith: cause });
    const iterator = encodeMessagesStream(source.iterable, options);
    const result = await drain(iterator);
    expect(result.error).toBeUndefined();
    const frames = framesOf(result.text);
    expect(frames.map((frame) => frame.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'content_block_delta', 'error']);
    expect(frames.at(-1)?.data).toStrictEqual({ type: 'error', error: { type: 'api_error', message: 'network error (ECONNRESET): socket hang up at <upstream>' } });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });

  it('never makes a stream that ended without its finish look complete', async () => {
    const cut = await drain(encodeMessagesStream(scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }]).iterable, options));
    expect(framesOf(cut.text).map((frame) => frame.event).at(-1)).toBe('error');
    expect(cut.text).not.toContain('message_stop');
    const empty = await drain(encodeMessagesStream(scriptedSource<StreamEvent>([]).iterable, options));
    expect(empty.text).toBe('');
    expect(SwitchyardError.isInstance(empty.error) && empty.error.category).toBe('server');
  });

  it('hides what a foreign error said', async () => {
    const source = scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }], { failAfter: 1, failWith: new Error('secret internals') });
    const { text } = await drain(encodeMessagesStream(source.iterable, options));
    expect(framesOf(text).at(-1)?.data).toStrictEqual({ type: 'error', error: { type: 'api_error', message: 'the gateway failed while answering' } });
  });

  it('ends the source when the consumer stops, and reports done after', async () => {
    const source = scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }, { type: 'text-delta', text: 'b' }, finish]);
    const iterator = encodeMessagesStream(source.iterable, options);
    for await (const chunk of iterator) {
      expect(chunk).toContain('message_start');
      break;
    }
    expect(source.closed()).toBe(true);
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(source.reads()).toBe(1);
  });

  it('never starts the source when stopped before the first read', async () => {
    const source = scriptedSource<StreamEvent>([finish]);
    const iterator = encodeMessagesStream(source.iterable, options);
    expect(await iterator.return()).toEqual({ value: undefined, done: true });
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(source.reads()).toBe(0);
  });

  it('answers overlapping next() calls in order, as a generator does', async () => {
    const events: StreamEvent[] = [{ type: 'text-delta', text: 'a' }, { type: 'usage', usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } }, { type: 'text-delta', text: 'b' }, finish];
    const sequential = await drain(encodeMessagesStream(scriptedSource(events).iterable, options));
    const iterator = encodeMessagesStream(scriptedSource(events).iterable, options);
    const results = await Promise.all([iterator.next(), iterator.next(), iterator.next(), iterator.next(), iterator.return()]);
    expect(results.slice(0, 3).map((result) => result.value as string).join('')).toBe(sequential.text);
    expect(results.slice(3)).toEqual([
      { value: undefined, done: true },
      { value: undefined, done: true },
    ]);
  });

  it('passes on a failure to end the source', async () => {
    const source = scriptedSource<StreamEvent>([{ type: 'text-delta', text: 'a' }, finish], { closeFails: true });
    const iterator = encodeMessagesStream(source.iterable, options);
    await iterator.next();
    await expect(iterator.return()).rejects.toThrow('close failed');
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
  });
});

describe('the error a stream that failed before output gives the server', () => {
  it('is the router’s own SwitchyardError, ready for anthropicError', async () => {
    const cause = new SwitchyardError({ category: 'overloaded', message: 'all 3 attempts failed', retryAfterMs: 250 });
    const error = await failure(drain(encodeMessagesStream(scriptedSource<StreamEvent>([], { failAfter: 0, failWith: cause }).iterable, { id: 'msg_x', requestedModel: 'claude' })).then((result) => {
      throw result.error;
    }));
    expect(anthropicError(error)).toMatchObject({ status: 529, headers: { 'retry-after': '1', 'retry-after-ms': '250' } });
  });
});
