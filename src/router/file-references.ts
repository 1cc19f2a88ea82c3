/**
 * Uploaded files (`file` on image and document parts) are readable only by the provider that
 * issued their id. A try on any other provider is refused before it is sent, as any part a
 * provider cannot take is (`invalid_request`, which ends the call rather than answering without
 * the file).
 */
import { invalidRequest } from '../errors.js';
import type { ChatRequest } from '../types.js';

/** Throws `invalid_request` naming the first part whose file `provider` (the configured id) did not issue. */
export function checkFileReferences(request: ChatRequest, provider: string): void {
  const { messages } = request;
  for (let messageIndex = 0; messageIndex < messages.length; messageIndex += 1) {
    const content = messages[messageIndex]?.content;
    if (typeof content === 'string' || content === undefined) continue;
    for (let partIndex = 0; partIndex < content.length; partIndex += 1) {
      const part = content[partIndex];
      if (part === undefined || part.type === 'text' || part.file === undefined || part.file.provider === provider) continue;
      throw invalidRequest(
        `messages[${messageIndex}].content[${partIndex}].file`,
        `file ${JSON.stringify(part.file.id)} was issued by provider "${part.file.provider}" and cannot be read by "${provider}"`,
      );
    }
  }
}
