/**
 * What every ingress produces from a request body, and what its error answers look like.
 */
import type { ChatRequest } from '../../types.js';
import type { FileIdsToBind } from './file-ids.js';

/** A call as an ingress understood it. */
export interface IngressCall {
  readonly request: ChatRequest;
  readonly stream: boolean;
  /** The end user named in the body (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly user?: string;
  /** The model as the client named it; answers name it back. */
  readonly requestedModel: string;
  /** OpenAI's `stream_options.include_usage`. */
  readonly includeUsage: boolean;
  /** Present when the body named uploaded files by id: the server binds them once the route is known. */
  readonly fileIds?: FileIdsToBind;
}

/** An error answer in an ingress's wire format. */
export interface IngressErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}
