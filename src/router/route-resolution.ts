/**
 * Which route a request's `model` names: a configured route, or `provider/model` when the config
 * allows direct calls (made once per name, with the global policies); and `router.explain()`'s
 * answer for it.
 */
import type { RouteConfig, SwitchyardConfig } from '../config/types.js';
import { invalidRequest } from '../errors.js';
import type { CallOptions } from '../types.js';
import type { RouterPlugin } from './plugin.js';
import type { RouteExplanation } from './router-api.js';
import { routeChain } from './target-choice.js';
import { chooseTarget, rendezvousScore, stickyKeyFor } from './target-selection.js';

/** Resolves request models to routes; throws `invalid_request` naming `model` for an unknown one. */
export function createRouteResolver(config: SwitchyardConfig): (model: string) => RouteConfig {
  const directRoutes = new Map<string, RouteConfig>();
  return (model) => {
    const route = config.routes[model];
    if (route !== undefined) return route;
    const slash = model.indexOf('/');
    if (config.allowDirect && slash > 0) {
      const cached = directRoutes.get(model);
      if (cached !== undefined) return cached;
      const provider = model.slice(0, slash);
      const upstreamModel = model.slice(slash + 1);
      if (config.providers[provider] !== undefined && upstreamModel !== '') {
        const direct: RouteConfig = { name: model, targets: [{ provider, model: upstreamModel, weight: 1 }], sticky: 'none', fallbacks: [], policies: config.policies };
        directRoutes.set(model, direct);
        return direct;
      }
    }
    const known = Object.keys(config.routes).join(', ');
    throw invalidRequest('model', `unknown route ${JSON.stringify(model)}; configured routes: ${known || '(none)'}${config.allowDirect ? ', or provider/model' : ''}`);
  };
}

/** Which target a caller would get on `route` and why, without calling anything. */
export function explainRoute(config: SwitchyardConfig, route: RouteConfig, who: Pick<CallOptions, 'user' | 'tenant'>, plugins: readonly RouterPlugin[]): RouteExplanation {
  const callOptions: CallOptions = who;
  const steered = plugins.reduce<ReturnType<NonNullable<RouterPlugin['explainTarget']>>>((found, plugin) => found ?? plugin.explainTarget?.(route, who), undefined);
  const choice = steered === undefined ? chooseTarget(route, callOptions) : undefined;
  const key = stickyKeyFor(route, callOptions);
  const totalWeight = route.targets.reduce((sum, target) => sum + Math.max(0, target.weight), 0);
  const target = steered?.target ?? choice?.target;
  return {
    route: route.name,
    ...(target === undefined ? {} : { target: { provider: target.provider, model: target.model } }),
    reason: steered?.reason ?? (config.routes[route.name] === undefined ? 'direct' : (choice?.reason ?? 'no target available')),
    ...(key === undefined ? {} : { stickyKey: key }),
    candidates: route.targets.map((candidate) => ({
      provider: candidate.provider,
      model: candidate.model,
      weight: candidate.weight,
      share: totalWeight > 0 ? Math.max(0, candidate.weight) / totalWeight : 0,
      ...(key === undefined ? {} : { score: rendezvousScore(key, candidate) }),
    })),
    fallbacks: routeChain(route, config.routes).slice(1).map((fallback) => fallback.name),
  };
}
