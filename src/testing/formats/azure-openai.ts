/**
 * Azure OpenAI chat completions as the simulator speaks it
 * (`POST /openai/deployments/{deployment}/chat/completions?api-version=...`, header `api-key`),
 * written from the Azure OpenAI REST reference (Azure/azure-rest-api-specs
 * `specification/cognitiveservices/data-plane/AzureOpenAI/inference/stable/2024-10-21/inference.json`:
 * `prompt_filter_results`, per-choice `content_filter_results`, the error object with
 * `innererror.code = ResponsibleAIPolicyViolation`) and the content-filter annotation guide
 * (a streamed answer starts with a chunk whose `choices` is empty and which carries only
 * `prompt_filter_results`). Bodies and chunks are otherwise OpenAI's, so this reuses `openai.ts`.
 *
 * One deliberate difference: Azure answers a request without `api-version` with
 * 404 `Resource not found`; the simulator answers 400 naming the parameter, which is the
 * documented requirement and keeps the path matched to this format.
 *
 * The Responses API on Azure (`azureOpenAIResponsesFormat`) is the OpenAI Responses format
 * (`openai-responses.ts`) at Azure's paths with Azure's key and errors: the v1 API's
 * `POST /openai/v1/responses` (no `api-version`; https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle)
 * and the older preview's `POST /openai/responses?api-version=…` (required there).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimAnswer, SimParsedRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { dataFrame, openAIErrorObject, parseChatCompletionsBody, renderChatCompletion, renderChunkFrames, type ChunkChoice } from './openai.js';
import { openAIResponsesFormat } from './openai-responses.js';
import { headerValue, type JsonObject } from './wire-helpers.js';

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/chat\/completions$/;

const SAFE = { filtered: false, severity: 'safe' } as const;

/** The filter verdicts for a prompt that passed every filter. */
function promptFilterResults(): JsonObject[] {
  return [
    {
      prompt_index: 0,
      content_filter_results: { hate: SAFE, jailbreak: { filtered: false, detected: false }, self_harm: SAFE, sexual: SAFE, violence: SAFE },
    },
  ];
}

/** The filter verdicts for a completion; `filtered` marks the one that stopped it. */
function choiceFilterResults(filtered: boolean): JsonObject {
  return {
    hate: SAFE,
    self_harm: SAFE,
    sexual: SAFE,
    violence: filtered ? { filtered: true, severity: 'medium' } : SAFE,
  };
}

/**
 * Azure's error body for a status. Azure's own gateway errors carry a string `code` (`401`,
 * `429`, `DeploymentNotFound`) and no `type`; a prompt stopped by the content filter is 400 with
 * `code: content_filter` and an `innererror`; validation and server errors pass through in
 * OpenAI's shape.
 */
export function azureErrorObject(status: number, message: string): JsonObject {
  if (status === 400 && /content.?filter|content management policy/i.test(message)) {
    return {
      message,
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: {
        code: 'ResponsibleAIPolicyViolation',
        content_filter_result: { ...choiceFilterResults(true), jailbreak: { filtered: false, detected: false } },
      },
    };
  }
  if (status === 401 || status === 403) return { code: String(status), message };
  if (status === 404) return { code: 'DeploymentNotFound', message };
  if (status === 429) return /quota|billing/i.test(message) ? { code: 'insufficient_quota', type: 'insufficient_quota', param: null, message } : { code: '429', message };
  if (status === 503) return { code: 'ServiceUnavailable', message };
  return openAIErrorObject(status, message);
}

/** The simulator's Azure OpenAI format. */
export const azureOpenAIFormat: WireFormat = {
  name: 'azure-openai',

  match(method: string, url: URL): SimRouteMatch | undefined {
    if (method !== 'POST') return undefined;
    const found = DEPLOYMENT_PATH.exec(url.pathname);
    if (found === null || found[1] === undefined) return undefined;
    return { pathModel: decodeURIComponent(found[1]) };
  },

  authorize(headers: IncomingHttpHeaders, _url: URL, expectedKey: string): boolean {
    return headerValue(headers, 'api-key') === expectedKey;
  },

  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string {
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null || apiVersion === '') return "Missing required query parameter 'api-version'.";
    return parseChatCompletionsBody(body, match.pathModel);
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    const body = renderChatCompletion(answer, request);
    const choices = (body.choices as JsonObject[]).map((choice) => ({
      ...choice,
      content_filter_results: choiceFilterResults(answer.finishReason === 'content_filter'),
    }));
    return { ...body, choices, prompt_filter_results: promptFilterResults() };
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[] {
    const annotations = (choice: ChunkChoice): JsonObject => {
      const carriesContent = typeof choice.delta.content === 'string' && choice.delta.content !== '';
      if (choice.finishReason === 'content_filter') return { content_filter_results: choiceFilterResults(true) };
      return { content_filter_results: carriesContent ? choiceFilterResults(false) : {} };
    };
    const head = dataFrame({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: promptFilterResults() });
    return [head, ...renderChunkFrames(plan, request, { choiceExtras: annotations })];
  },

  renderError(status: number, message: string) {
    return { body: { error: azureErrorObject(status, message) }, headers: { 'apim-request-id': `sim-${status}-apim` } };
  },

  renderStreamError(status: number, message: string): string {
    return dataFrame({ error: azureErrorObject(status, message) });
  },
};

const V1_RESPONSES_PATH = '/openai/v1/responses';
const PREVIEW_RESPONSES_PATH = '/openai/responses';

/** The simulator's Responses API on Azure OpenAI: OpenAI's bodies, answers and stream events; Azure's paths, `api-key` and error bodies. */
export const azureOpenAIResponsesFormat: WireFormat = {
  ...openAIResponsesFormat,
  name: 'azure-openai-responses',

  match(method: string, url: URL): SimRouteMatch | undefined {
    return method === 'POST' && (url.pathname === V1_RESPONSES_PATH || url.pathname === PREVIEW_RESPONSES_PATH) ? {} : undefined;
  },

  authorize: azureOpenAIFormat.authorize.bind(azureOpenAIFormat),

  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string {
    // The v1 API takes no api-version; the older preview path requires one.
    const apiVersion = url.searchParams.get('api-version');
    if (url.pathname === PREVIEW_RESPONSES_PATH && (apiVersion === null || apiVersion === '')) return "Missing required query parameter 'api-version'.";
    return openAIResponsesFormat.parse(body, match, url);
  },

  successHeaders(answerId: string) {
    return { 'apim-request-id': `sim-${answerId}-apim`, 'x-request-id': `req_${answerId}` };
  },

  renderError: azureOpenAIFormat.renderError.bind(azureOpenAIFormat),
};
