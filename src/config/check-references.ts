/**
 * Checks that names refer to things that exist: each target's provider, each fallback route, and
 * that fallbacks form no cycle. Runs on the raw (interpolated) value, guarding every access, so
 * these problems are reported together with the schema's and not one round later.
 */
import type { PathProblem } from './config-error.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(names: Iterable<string>): string {
  const all = [...names];
  return all.length === 0 ? 'none are configured' : `configured: ${all.join(', ')}`;
}

/** Every dangling reference and fallback cycle in the config. */
export function checkReferences(raw: unknown): PathProblem[] {
  if (!isRecord(raw)) return [];
  const problems: PathProblem[] = [];
  const providers = isRecord(raw.providers) ? new Set(Object.keys(raw.providers)) : undefined;
  const routes = isRecord(raw.routes) ? raw.routes : {};
  const routeNames = new Set(Object.keys(routes));
  const edges = new Map<string, { readonly target: string; readonly index: number }[]>();

  for (const [name, route] of Object.entries(routes)) {
    if (!isRecord(route)) continue;
    if (providers !== undefined && Array.isArray(route.targets)) {
      for (const [index, target] of route.targets.entries()) {
        if (!isRecord(target) || typeof target.provider !== 'string' || target.provider === '') continue;
        if (!providers.has(target.provider)) {
          problems.push({
            path: ['routes', name, 'targets', index, 'provider'],
            message: `unknown provider ${JSON.stringify(target.provider)} (${list(providers)})`,
          });
        }
      }
    }
    if (providers !== undefined && isRecord(route.canary)) {
      for (const arm of ['baseline', 'candidate'] as const) {
        const target = route.canary[arm];
        if (!isRecord(target) || typeof target.provider !== 'string' || target.provider === '') continue;
        if (!providers.has(target.provider)) {
          problems.push({ path: ['routes', name, 'canary', arm, 'provider'], message: `unknown provider ${JSON.stringify(target.provider)} (${list(providers)})` });
        }
      }
    }
    if (!Array.isArray(route.fallbacks)) continue;
    const seen = new Set<string>();
    const valid: { target: string; index: number }[] = [];
    for (const [index, fallback] of route.fallbacks.entries()) {
      if (typeof fallback !== 'string' || fallback === '') continue;
      const path = ['routes', name, 'fallbacks', index];
      if (!routeNames.has(fallback)) {
        problems.push({ path, message: `unknown route ${JSON.stringify(fallback)} (${list(routeNames)})` });
      } else if (seen.has(fallback)) {
        problems.push({ path, message: `route ${JSON.stringify(fallback)} is listed twice` });
      } else {
        valid.push({ target: fallback, index });
      }
      seen.add(fallback);
    }
    edges.set(name, valid);
  }

  problems.push(...findCycles(edges));
  return problems;
}

/** Reports each back edge of a depth-first walk: each closes one fallback cycle. */
function findCycles(edges: ReadonlyMap<string, readonly { readonly target: string; readonly index: number }[]>): PathProblem[] {
  const problems: PathProblem[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];

  function visit(name: string): void {
    state.set(name, 'visiting');
    stack.push(name);
    for (const edge of edges.get(name) ?? []) {
      const seen = state.get(edge.target);
      if (seen === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(edge.target)), edge.target];
        problems.push({
          path: ['routes', name, 'fallbacks', edge.index],
          message: `fallback cycle: ${cycle.join(' → ')} (a route must not fall back to itself, directly or through others)`,
        });
      } else if (seen === undefined) {
        visit(edge.target);
      }
    }
    stack.pop();
    state.set(name, 'done');
  }

  for (const name of edges.keys()) if (!state.has(name)) visit(name);
  return problems;
}
