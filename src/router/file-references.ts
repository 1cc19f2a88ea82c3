/**
 * Uploaded files (`file` on image and document parts) are readable only by the provider that
 * issued their id. A call that references files may therefore use only targets on that provider:
 * target choice passes the others over (see the retry stage), and a call none of whose targets
 * can read its files is refused before any request with `invalid_request` naming the part.
 */
import { invalidRequest, type SwitchyardError } from '../errors.js';
import type { ChatRequest, FileReference } from '../types.js';

/**
 * The providers that issued the request's files; undefined when it references none, which is
 * the common case and allocates nothing. A target can read the files only when this holds its
 * provider alone (`canReadFiles`).
 */
export function fileIssuers(request: ChatRequest): ReadonlySet<string> | undefined {
  let issuers: Set<string> | undefined;
  for (const message of request.messages) {
    const { content } = message;
    if (typeof content === 'string') continue;
    for (const part of content) {
      if (part.type !== 'text' && part.file !== undefined) (issuers ??= new Set()).add(part.file.provider);
    }
  }
  return issuers;
}

/** Whether a target on `provider` (the configured id) can read every file of a request with these issuers. */
export function canReadFiles(issuers: ReadonlySet<string>, provider: string): boolean {
  return issuers.size === 1 && issuers.has(provider);
}

/**
 * The error of a call whose files no target can read, `providers` being those of every target
 * it could use: names the first part issued by none of them, else (files of several providers)
 * the first part issued by another provider than the first file's.
 */
export function unreadableFilesError(request: ChatRequest, providers: ReadonlySet<string>): SwitchyardError {
  const parts = fileParts(request);
  const first = parts[0];
  const foreign = parts.find(({ file }) => !providers.has(file.provider));
  if (foreign !== undefined) {
    const on = [...providers].map((provider) => JSON.stringify(provider)).join(', ');
    return invalidRequest(foreign.field, `file ${JSON.stringify(foreign.file.id)} was issued by provider "${foreign.file.provider}" and cannot be read by any target of the route or its fallbacks (on ${on})`);
  }
  const other = parts.find(({ file }) => file.provider !== first?.file.provider);
  // Unreachable while the caller holds to the contract (some part is unreadable), but a sound error all the same.
  if (first === undefined || other === undefined) return invalidRequest('messages', 'no target of the route or its fallbacks can read the files');
  return invalidRequest(
    other.field,
    `file ${JSON.stringify(other.file.id)} was issued by provider "${other.file.provider}" but ${first.field} by "${first.file.provider}": no one provider can read them all`,
  );
}

/** Every file part of the request, with the field that names it. */
function fileParts(request: ChatRequest): { readonly field: string; readonly file: FileReference }[] {
  const found: { field: string; file: FileReference }[] = [];
  request.messages.forEach((message, messageIndex) => {
    if (typeof message.content === 'string') return;
    message.content.forEach((part, partIndex) => {
      if (part.type !== 'text' && part.file !== undefined) found.push({ field: `messages[${messageIndex}].content[${partIndex}].file`, file: part.file });
    });
  });
  return found;
}
