/**
 * `GET /v1/models`: the routes a key may call, and the `provider/model` names of their targets
 * when direct access is allowed — in the OpenAI list shape, or Anthropic's when the caller sent
 * `anthropic-version` (the Anthropic SDK's `models.list()`).
 */
import type { SwitchyardConfig } from '../config/types.js';
import type { KeyRecord } from './store/types.js';

/** The model names a key may call, routes first. */
export function modelsFor(config: SwitchyardConfig, record: KeyRecord): string[] {
  const names = new Set<string>(Object.keys(config.routes));
  if (config.allowDirect) for (const route of Object.values(config.routes)) for (const target of route.targets) names.add(`${target.provider}/${target.model}`);
  const allowed = [...names];
  return record.routes.length === 0 ? allowed : allowed.filter((name) => record.routes.includes(name));
}

/** The list body in the caller's wire format. */
export function listModels(config: SwitchyardConfig, record: KeyRecord, format: 'openai' | 'anthropic'): unknown {
  const names = modelsFor(config, record);
  if (format === 'openai') return { object: 'list', data: names.map((id) => ({ id, object: 'model', created: 0, owned_by: 'switchyard' })) };
  const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' }));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
}
