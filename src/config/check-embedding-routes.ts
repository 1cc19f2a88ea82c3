/**
 * Embedding routes must stay in one vector space: vectors from different embedding models cannot
 * be compared, so a route that answered one call from model A and the next from model B (a weight
 * split, a retry on another target, a fallback) would corrupt every index built from it. This
 * checks the resolved routes: every target of an embedding route and of every route its fallbacks
 * reach must share one `embeddingFamily` (by default the target's model id); fallbacks never cross
 * between chat and embedding routes; and an embedding route has no canary.
 */
import type { PathProblem } from './config-error.js';
import type { RouteConfig, TargetConfig } from './types.js';

/** The vector space a target's embeddings live in: its declared family, else its model id. */
export function embeddingFamilyOf(target: TargetConfig): string {
  return target.embeddingFamily ?? target.model;
}

function kindOf(route: RouteConfig): 'chat' | 'embedding' {
  return route.kind ?? 'chat';
}

/** Every problem of the embedding routes among `routes`. */
export function checkEmbeddingRoutes(routes: Readonly<Record<string, RouteConfig>>): PathProblem[] {
  const problems: PathProblem[] = [];
  for (const route of Object.values(routes)) {
    const path = ['routes', route.name];
    route.fallbacks.forEach((name, index) => {
      const fallback = routes[name];
      if (fallback !== undefined && kindOf(fallback) !== kindOf(route)) {
        problems.push({ path: [...path, 'fallbacks', index], message: `route "${name}" is a ${kindOf(fallback)} route; a ${kindOf(route)} route can only fall back to ${kindOf(route)} routes` });
      }
    });
    if (kindOf(route) !== 'embedding') continue;
    if (route.canary !== undefined) {
      problems.push({ path: [...path, 'canary'], message: 'an embedding route cannot have a canary: vectors of two models cannot be compared, so calls cannot move between them' });
      continue;
    }
    const first = route.targets[0];
    if (first === undefined) continue;
    const family = embeddingFamilyOf(first);
    route.targets.forEach((target, index) => {
      if (embeddingFamilyOf(target) === family) return;
      problems.push({
        path: [...path, 'targets', index, target.embeddingFamily === undefined ? 'model' : 'embeddingFamily'],
        message: `embedding family "${embeddingFamilyOf(target)}" differs from "${family}" (targets[0]); every target of an embedding route must produce vectors in one space (set the same embeddingFamily on targets that do, e.g. one model on OpenAI and Azure)`,
      });
    });
    route.fallbacks.forEach((name, index) => {
      const seen = new Set<string>([route.name]);
      const other = familyReachedThrough(routes, name, family, seen);
      if (other !== undefined) {
        problems.push({ path: [...path, 'fallbacks', index], message: `fallback route "${name}" reaches a target of embedding family "${other}", not "${family}"; vectors from different models cannot be compared` });
      }
    });
  }
  return problems;
}

/** The first family other than `family` among the targets of `name` and of the routes its fallbacks reach. */
function familyReachedThrough(routes: Readonly<Record<string, RouteConfig>>, name: string, family: string, seen: Set<string>): string | undefined {
  if (seen.has(name)) return undefined;
  seen.add(name);
  const route = routes[name];
  if (route === undefined || kindOf(route) !== 'embedding') return undefined; // reported on its own
  for (const target of route.targets) if (embeddingFamilyOf(target) !== family) return embeddingFamilyOf(target);
  for (const next of route.fallbacks) {
    const other = familyReachedThrough(routes, next, family, seen);
    if (other !== undefined) return other;
  }
  return undefined;
}
