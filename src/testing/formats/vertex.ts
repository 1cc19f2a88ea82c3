/**
 * Google Vertex AI as the simulator speaks it: `POST /v1/projects/{project}/locations/{location}/
 * publishers/{publisher}/models/{model}:{method}`, for Anthropic models (`rawPredict`,
 * `streamRawPredict`: the Anthropic Messages body without `model`, with
 * `anthropic_version: "vertex-2023-10-16"`, answered exactly as Anthropic answers) and Google's
 * (`generateContent`, `streamGenerateContent?alt=sse`: the Gemini API's shapes). Written from the
 * Vertex AI docs on Claude ("Use Anthropic's Claude models", rawPredict/streamRawPredict), the
 * Vertex AI REST reference (`projects.locations.publishers.models.generateContent`) and Anthropic's
 * Vertex SDK (anthropics/anthropic-sdk-typescript `packages/vertex-sdk/src/client.ts`). Google's
 * embedding models answer `:predict` (vertex-embeddings.ts). Requests
 * must carry `Authorization: Bearer <simulator API key>` (the access token); platform errors use
 * Google's `{ error: { code, message, status } }` body, as Vertex's front end does.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { SimAnswer, SimParsedRequest, SimRouteMatch, SimStreamPlan, WireFormat } from '../wire-format.js';
import { anthropicFormat } from './anthropic.js';
import { geminiFormat, parseGeminiRequest } from './gemini.js';
import { isVertexPredict, parseVertexPredict, renderVertexPredict } from './vertex-embeddings.js';
import { headerValue, isObject } from './wire-helpers.js';

const PATH = /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(anthropic|google)\/models\/([^/:]+):(rawPredict|streamRawPredict|generateContent|streamGenerateContent|predict)$/;

/** The `anthropic_version` Vertex AI requires of Anthropic models. */
const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

/** The methods of each publisher. */
const METHODS: Readonly<Record<string, readonly string[]>> = {
  anthropic: ['rawPredict', 'streamRawPredict'],
  google: ['generateContent', 'streamGenerateContent', 'predict'],
};

/** Which publisher each parsed request was for: rendering follows it. */
const publishers = new WeakMap<SimParsedRequest, 'anthropic' | 'google'>();

/** What a path names, kept per request URL for `parse` (which receives the same URL object). */
interface VertexRoute {
  readonly project: string;
  readonly location: string;
  readonly publisher: 'anthropic' | 'google';
  readonly model: string;
  readonly method: string;
}

function routeOf(url: URL): VertexRoute | undefined {
  const found = PATH.exec(url.pathname);
  if (found === null) return undefined;
  const [, project, location, publisher, model, method] = found as unknown as string[];
  return { project: project!, location: location!, publisher: publisher as 'anthropic' | 'google', model: decodeURIComponent(model!), method: method! };
}

function publisherOf(request: SimParsedRequest | undefined): 'anthropic' | 'google' {
  return (request === undefined ? undefined : publishers.get(request)) ?? 'google';
}

/** The simulator's Vertex AI wire format (Anthropic and Google publishers). */
export const vertexFormat: WireFormat = {
  name: 'vertex',

  match(method, url): SimRouteMatch | undefined {
    if (method !== 'POST') return undefined;
    const route = routeOf(url);
    if (route === undefined || !(METHODS[route.publisher] ?? []).includes(route.method)) return undefined;
    return { pathModel: route.model, pathStream: route.method.startsWith('stream') };
  },

  authorize(headers: IncomingHttpHeaders, _url: URL, expectedKey: string): boolean {
    return headerValue(headers, 'authorization') === `Bearer ${expectedKey}`;
  },

  parse(body: unknown, match: SimRouteMatch, url: URL): SimParsedRequest | string {
    const route = routeOf(url);
    if (route === undefined) return 'unknown path';
    if (!isObject(body)) return 'Invalid JSON payload received.';
    let parsed: SimParsedRequest | string;
    if (route.publisher === 'anthropic') {
      if (body.anthropic_version !== VERTEX_ANTHROPIC_VERSION) return `anthropic_version: expected "${VERTEX_ANTHROPIC_VERSION}"`;
      if (body.model !== undefined) return 'model: Extra inputs are not permitted (the model is named in the URL)';
      if (match.pathStream === true && body.stream !== true) return 'streamRawPredict needs "stream": true in the body';
      parsed = anthropicFormat.parse({ ...body, model: route.model }, match, url);
      if (typeof parsed !== 'string') parsed = { ...parsed, stream: match.pathStream === true };
    } else if (route.method === 'predict') {
      parsed = parseVertexPredict(body, route.model);
    } else {
      // The Gemini format reads the model and streaming from the match, and `alt=sse` from the URL.
      parsed = parseGeminiRequest(body, match, url, { vertex: true });
    }
    if (typeof parsed !== 'string') publishers.set(parsed, route.publisher);
    return parsed;
  },

  renderResponse(answer: SimAnswer, request: SimParsedRequest): unknown {
    if (isVertexPredict(request)) return renderVertexPredict(request);
    return publisherOf(request) === 'anthropic' ? anthropicFormat.renderResponse(answer, request) : geminiFormat.renderResponse(answer, request);
  },

  renderStream(plan: SimStreamPlan, request: SimParsedRequest): readonly string[] {
    return publisherOf(request) === 'anthropic' ? anthropicFormat.renderStream(plan, request) : geminiFormat.renderStream(plan, request);
  },

  renderError(status: number, message: string) {
    return geminiFormat.renderError(status, message);
  },

  renderStreamError(status: number, message: string, request?: SimParsedRequest): string {
    const format = publisherOf(request) === 'anthropic' ? anthropicFormat : geminiFormat;
    return format.renderStreamError?.(status, message) ?? '';
  },
};
