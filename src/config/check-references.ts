/**
 * Checks that names refer to things that exist: each target's provider, each fallback route, and
 * that fallbacks form no cycle. Runs on the raw (interpolated) value, guarding every access, so
 * these problems are reported together with the schema's and not one round later.
 */
import type { PathProblem } from './config-error.js';
import { quoteValue, shownText } from './redact-text.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Names listed in a message at most; the rest are counted. */
const MAX_LISTED = 20;

function list(names: Iterable<string>): string {
  const all = [...names];
  if (all.length === 0) return 'none are configured';
  const shown = all.slice(0, MAX_LISTED).map((name) => shownText(name));
  return `configured: ${shown.join(', ')}${all.length > MAX_LISTED ? `, … (${all.length} in all)` : ''}`;
}

/** Every dangling reference and fallback cycle in the config. */
export function checkReferences(raw: unknown): PathProblem[] {
  if (!isRecord(raw)) return [];
  const problems: PathProblem[] = [];
  const providers = isRecord(raw.providers) ? new Set(Object.keys(raw.providers)) : undefined;
  const providerList = providers === undefined ? '' : list(providers);
  const routes = isRecord(raw.routes) ? raw.routes : {};
  const routeNames = new Set(Object.keys(routes));
  const routeList = list(routeNames);
  const edges = new Map<string, { readonly target: string; readonly index: number }[]>();

  for (const [name, route] of Object.entries(routes)) {
    if (!isRecord(route)) continue;
    if (providers !== undefined && Array.isArray(route.targets)) {
      for (const [index, target] of route.targets.entries()) {
        if (!isRecord(target) || typeof target.provider !== 'string' || target.provider === '') continue;
        if (!providers.has(target.provider)) {
          problems.push({
            path: ['routes', name, 'targets', index, 'provider'],
            message: `unknown provider ${quoteValue(target.provider)} (${providerList})`,
          });
        }
      }
    }
    if (providers !== undefined && isRecord(route.canary)) {
      for (const arm of ['baseline', 'candidate'] as const) {
        const target = route.canary[arm];
        if (!isRecord(target) || typeof target.provider !== 'string' || target.provider === '') continue;
        if (!providers.has(target.provider)) {
          problems.push({ path: ['routes', name, 'canary', arm, 'provider'], message: `unknown provider ${quoteValue(target.provider)} (${providerList})` });
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
        problems.push({ path, message: `unknown route ${quoteValue(fallback)} (${routeList})` });
      } else if (seen.has(fallback)) {
        problems.push({ path, message: `route ${quoteValue(fallback)} is listed twice` });
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

/** Routes shown of a long cycle: the first ones and the last. */
const MAX_CYCLE_SHOWN = 8;

function describeCycle(cycle: readonly string[]): string {
  const names = cycle.map((name) => shownText(name));
  if (names.length <= MAX_CYCLE_SHOWN) return names.join(' → ');
  return `${names.slice(0, MAX_CYCLE_SHOWN - 1).join(' → ')} → … (${names.length - MAX_CYCLE_SHOWN} more) → ${names[names.length - 1] ?? ''}`;
}

/**
 * Reports each back edge of a depth-first walk: each closes one fallback cycle. The walk keeps its
 * own stack, so a chain of thousands of routes cannot overflow the call stack.
 */
function findCycles(edges: ReadonlyMap<string, readonly { readonly target: string; readonly index: number }[]>): PathProblem[] {
  const problems: PathProblem[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const positionInPath = new Map<string, number>();
  const frames: { readonly name: string; next: number }[] = [];

  const enter = (name: string): void => {
    state.set(name, 'visiting');
    positionInPath.set(name, path.length);
    path.push(name);
    frames.push({ name, next: 0 });
  };

  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    enter(start);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1] as { readonly name: string; next: number };
      const outgoing = edges.get(frame.name) ?? [];
      const edge = outgoing[frame.next];
      if (edge === undefined) {
        frames.pop();
        path.pop();
        positionInPath.delete(frame.name);
        state.set(frame.name, 'done');
        continue;
      }
      frame.next += 1;
      const seen = state.get(edge.target);
      if (seen === 'visiting') {
        const cycle = [...path.slice(positionInPath.get(edge.target) ?? 0), edge.target];
        problems.push({
          path: ['routes', frame.name, 'fallbacks', edge.index],
          message: `fallback cycle: ${describeCycle(cycle)} (a route must not fall back to itself, directly or through others)`,
        });
      } else if (seen === undefined) {
        enter(edge.target);
      }
    }
  }
  return problems;
}
