/**
 * Uploaded files named by id (Anthropic `source: { type: 'file', file_id }`, OpenAI
 * `file: { file_id }`). A unified file part needs the configured provider that issued the id
 * (`FileReference.provider`), which a gateway client cannot know. The ingresses read the id with
 * no provider (`UNBOUND_FILE_PROVIDER`) and note where; once the route is known, `bindFileIds`
 * gives every such part the route's provider, when the route's targets are all one provider of a
 * type that issues this wire format's ids. Otherwise the call is refused (400) saying why: guessing
 * would send the id to a provider that never issued it.
 *
 * File ids are refused outright unless the operator set `gateway.fileIds: allow`: an id names a
 * file in the operator's provider account, which every virtual key shares (clients cannot upload
 * through the gateway), so allowing them lets any key read any file uploaded there.
 */
import { invalidRequest } from '../../errors.js';
import type { GatewayConfig, RouteConfig, SwitchyardConfig } from '../../config/types.js';
import type { ChatRequest, ContentPart, Message } from '../../types.js';

/** The provider of a file part read from a body, until `bindFileIds` sets it (the router refuses it empty). */
export const UNBOUND_FILE_PROVIDER = '';

/** Where a body named uploaded files, noted while it is parsed (one per parse; most bodies name none). */
export interface FileIdNotes {
  /** The JSON path of the first file id, e.g. `messages[0].content[1].source.file_id`. */
  first?: string;
}

/** What an ingress hands the server when the body named files: where, and who may have issued them. */
export interface FileIdsToBind {
  /** The JSON path of the first file id, for the error. */
  readonly field: string;
  /** The provider types whose Files API issues this wire format's ids (`anthropic`; `openai`). */
  readonly providerTypes: readonly string[];
}

/** Notes a file id at `field`. */
export function noteFileId(notes: FileIdNotes | undefined, field: string): void {
  if (notes !== undefined) notes.first ??= field;
}

/** The parts of `content` with their unbound file references given `provider`. */
function boundParts(content: readonly ContentPart[], provider: string): ContentPart[] {
  return content.map((part) => (part.type === 'text' || part.file?.provider !== UNBOUND_FILE_PROVIDER ? part : { ...part, file: { ...part.file, provider } }));
}

/**
 * `request` with every file part read from the body bound to the route's one provider; throws
 * `invalid_request` naming the first file id when file ids are not allowed (`gateway.fileIds`) or
 * the route cannot tell which provider issued it.
 */
export function bindFileIds(request: ChatRequest, files: FileIdsToBind, route: RouteConfig, providers: SwitchyardConfig['providers'], allowed: GatewayConfig['fileIds']): ChatRequest {
  if (allowed !== 'allow') {
    throw invalidRequest(
      files.field,
      "uploaded files named by id are off on this gateway (an id reaches every file in the provider's account, whichever key calls); send the file's content instead, or the gateway's operator can enable them with `gateway.fileIds: allow`",
    );
  }
  const providerIds = [...new Set(route.targets.map((target) => target.provider))];
  const types = files.providerTypes.map((type) => `"${type}"`).join(' or ');
  const [only] = providerIds;
  if (providerIds.length !== 1 || only === undefined) {
    throw invalidRequest(
      files.field,
      `an uploaded file's id belongs to the one provider that issued it, and route "${route.name}" has targets on ${providerIds.length} providers (${providerIds.join(', ')}), so the gateway cannot tell which; call a route whose targets are all on one ${types} provider (or a provider/model name, where allowed), or send the file's content instead`,
    );
  }
  const type = providers[only]?.type;
  if (type === undefined || !files.providerTypes.includes(type)) {
    throw invalidRequest(files.field, `route "${route.name}" is served by provider "${only}" of type "${type ?? 'unknown'}", which does not issue these file ids (only ${types} providers do); send the file's content instead`);
  }
  const messages = request.messages.map((message): Message => (typeof message.content === 'string' ? message : { ...message, content: boundParts(message.content, only) }));
  return { ...request, messages };
}
