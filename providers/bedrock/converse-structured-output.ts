/**
 * Structured output over Bedrock Converse (`ChatRequest.responseFormat`): Bedrock's own JSON outputs,
 * `outputConfig.textFormat: { type: 'json_schema', structure: { jsonSchema: { schema, name } } }`,
 * the schema sent as a JSON string, as the API takes it. The answer is then the JSON text.
 * `{ type: 'json' }` (no schema) asks for any object (`{ "type": "object" }`). Which models take it
 * is Bedrock's to say: one that does not answers with a ValidationException (`invalid_request`).
 * References: https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html,
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_OutputFormat.html and
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_JsonSchemaDefinition.html.
 */
import { invalidRequest } from '../../src/errors.js';
import type { ResponseFormat } from '../../src/types.js';
import type { ConverseRequestBody } from './converse-body.js';

/** Adds `outputConfig` for a response format; the forced-tool method is not offered on Converse. */
export function applyConverseStructuredOutput(body: ConverseRequestBody, format: ResponseFormat | undefined): void {
  if (format === undefined) return;
  if (format.type === 'json_schema' && format.method === 'tool') {
    throw invalidRequest('responseFormat.method', 'Bedrock Converse gives structured output natively (outputConfig); use method "auto" or "native", or api: invoke for the tool method');
  }
  const schema = format.type === 'json_schema' ? format.schema : { type: 'object' };
  const name = format.type === 'json_schema' && format.name !== undefined ? format.name : 'response';
  body.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name } } } };
}
