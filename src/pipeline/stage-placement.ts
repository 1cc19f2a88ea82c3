/**
 * Where users' stages go among the built-in ones. A user stage is given alone (it then runs just
 * outside the innermost stage: before `retry` for call stages, before `adapter` for attempt
 * stages) or as `{ stage, before: '<name>' }` / `{ stage, after: '<name>' }` naming a built-in
 * stage. A named stage the config leaves out (no cache, no audit) still fixes the place: the user
 * stage goes where that stage would be. Stages given for one place keep the order they were given.
 * Placement happens once, when the router is created.
 */
import { SwitchyardError } from '../errors.js';
import type { CallOutcome } from './context.js';
import type { Stage } from './stage.js';

/** A user stage and where it goes; a bare stage goes just outside the innermost built-in stage. */
export type PlacedStage<C> =
  | Stage<C, CallOutcome>
  | { readonly stage: Stage<C, CallOutcome>; readonly before: string; readonly after?: undefined }
  | { readonly stage: Stage<C, CallOutcome>; readonly after: string; readonly before?: undefined };

/** The built-in call stages, outermost first. */
export const CALL_STAGE_NAMES = ['tracing', 'audit', 'canary', 'content-filter', 'shared-state-ready', 'cache', 'rate-limit', 'retry'] as const;

/** The built-in attempt stages, outermost first. */
export const ATTEMPT_STAGE_NAMES = ['breaker', 'timeout', 'adapter'] as const;

/** One level of stages: its built-in names in order (the last is the innermost), and the option users give. */
export interface StageLevel {
  /** `stages` or `attemptStages`, for messages. */
  readonly option: string;
  readonly builtIns: readonly string[];
  /** The other level's option and names, for a message when a name belongs there. */
  readonly otherLevel: { readonly option: string; readonly builtIns: readonly string[] };
}

/** The `createRouter` levels. */
export const CALL_LEVEL: StageLevel = { option: 'stages', builtIns: CALL_STAGE_NAMES, otherLevel: { option: 'attemptStages', builtIns: ATTEMPT_STAGE_NAMES } };
export const ATTEMPT_LEVEL: StageLevel = { option: 'attemptStages', builtIns: ATTEMPT_STAGE_NAMES, otherLevel: { option: 'stages', builtIns: CALL_STAGE_NAMES } };

/** The config error of a user stage that cannot be placed. */
function placementError(path: string, problem: string): SwitchyardError {
  return new SwitchyardError({ category: 'config', message: `${path}: ${problem}` });
}

/** A user entry's stage and the built-in slot it names. */
interface Placement<C> {
  readonly stage: Stage<C, CallOutcome>;
  readonly side: 'before' | 'after';
  readonly anchor: string;
}

function isStage<C>(value: unknown): value is Stage<C, CallOutcome> {
  return typeof value === 'object' && value !== null && typeof (value as Partial<Stage<C, CallOutcome>>).execute === 'function';
}

/** Checks one user entry and says where it goes. */
function placementOf<C>(entry: PlacedStage<C>, path: string, level: StageLevel): Placement<C> {
  const innermost = level.builtIns[level.builtIns.length - 1] as string;
  if (isStage<C>(entry)) return { stage: entry, side: 'before', anchor: innermost };
  // Read as unknown: a JavaScript caller can pass anything here.
  const placed = entry as unknown as { readonly stage?: unknown; readonly before?: unknown; readonly after?: unknown } | null;
  if (typeof placed !== 'object' || placed === null || !isStage<C>(placed.stage)) {
    throw placementError(path, 'expected a stage ({ name, execute }) or { stage, before } / { stage, after }');
  }
  if ((placed.before === undefined) === (placed.after === undefined)) throw placementError(path, 'give one of `before` and `after`');
  const side = placed.before === undefined ? 'after' : 'before';
  const anchor = placed[side];
  const field = `${path}.${side}`;
  if (typeof anchor !== 'string' || !level.builtIns.includes(anchor)) {
    const elsewhere = typeof anchor === 'string' && level.otherLevel.builtIns.includes(anchor) ? ` ("${anchor}" is a stage of \`${level.otherLevel.option}\`)` : '';
    throw placementError(field, `unknown stage ${JSON.stringify(anchor)}${elsewhere}; the built-in stages of \`${level.option}\` are ${level.builtIns.join(', ')}`);
  }
  if (side === 'after' && anchor === innermost) throw placementError(field, `nothing runs inside "${innermost}"; place the stage before it`);
  return { stage: placed.stage, side, anchor };
}

/**
 * The stages of one level in the order they run: `present` (the built-in and plugin stages of this
 * router, in order, ending with the innermost built-in) with the user's `entries` placed among them.
 * Throws a `config` error naming the entry for one that cannot be placed.
 */
export function placeStages<C>(present: readonly Stage<C, CallOutcome>[], entries: readonly PlacedStage<C>[], level: StageLevel): Stage<C, CallOutcome>[] {
  if (entries.length === 0) return [...present];
  const builtIns = level.builtIns;
  const anchors = present.filter((stage) => builtIns.includes(stage.name));
  const rank = (name: string): number => builtIns.indexOf(name);
  const before = new Map<Stage<C, CallOutcome>, Stage<C, CallOutcome>[]>();
  const after = new Map<Stage<C, CallOutcome>, Stage<C, CallOutcome>[]>();
  entries.forEach((entry, index) => {
    const placement = placementOf(entry, `${level.option}[${index}]`, level);
    const wanted = rank(placement.anchor);
    let slot = placement.side === 'before' ? before : after;
    let anchor = anchors.find((stage) => stage.name === placement.anchor);
    if (anchor === undefined) {
      // Left out by the config: the place it would have, after its predecessors and before its successors.
      anchor = placement.side === 'after' ? anchors.filter((stage) => rank(stage.name) < wanted).at(-1) : undefined;
      if (anchor === undefined) {
        slot = before;
        anchor = anchors.find((stage) => rank(stage.name) > wanted)!; // the innermost is always present
      }
    }
    const list = slot.get(anchor) ?? [];
    list.push(placement.stage);
    slot.set(anchor, list);
  });
  return present.flatMap((stage) => [...(before.get(stage) ?? []), stage, ...(after.get(stage) ?? [])]);
}
