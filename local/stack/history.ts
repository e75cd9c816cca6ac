/**
 * Step Functions execution history, rebuilt from aws-local-stepfunctions' event log the way the
 * service records it, so a test can count events against the 25,000-event limit per execution.
 *
 * The service's rules, as modelled here:
 * - An execution starts with ExecutionStarted and ends with ExecutionSucceeded/Failed/Aborted/TimedOut.
 * - Every state has `<Type>StateEntered` and, unless the execution fails inside it, `<Type>StateExited`
 *   (a Fail state has only the entered event).
 * - A Lambda task (a function ARN as Resource) adds LambdaFunctionScheduled, LambdaFunctionStarted and
 *   LambdaFunctionSucceeded/Failed per attempt; a retry is a new Scheduled/Started pair, not an event.
 * - An inline Map adds MapStateStarted, MapIterationStarted/Succeeded/Failed per item and
 *   MapStateSucceeded/Failed, and its iterations' state events count in the parent's history.
 * - A distributed Map adds MapRunStarted and MapRunSucceeded/Failed to the parent; each item is a
 *   child execution with its own history (and its own 25,000-event limit).
 * - A Parallel state adds ParallelStateStarted and ParallelStateSucceeded/Failed.
 * Limitation: Map states nested inside a Map iteration are attributed to the outer iteration.
 */

/** aws-local-stepfunctions' event log entry, as far as the history needs it. */
export interface EngineEvent {
  type: string;
  timestamp: number;
  index?: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  parentState?: { name: string; type: string };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: unknown;
}

export interface HistoryEvent {
  type: string;
  timestamp: number;
  details?: Record<string, unknown>;
}

export interface ChildHistory {
  mapState: string;
  index: number;
  events: HistoryEvent[];
}

export interface ExecutionHistory {
  events: HistoryEvent[];
  /** Child executions of distributed Map states, one per item. */
  children: ChildHistory[];
}

interface StateScope {
  /** The Map state whose ItemProcessor holds this state, when it is a distributed one. */
  distributedMap?: string;
}

interface StateDefinitionLike {
  Type?: string;
  Resource?: string;
  States?: Record<string, StateDefinitionLike>;
  ItemProcessor?: { States?: Record<string, StateDefinitionLike>; ProcessorConfig?: { Mode?: string } };
  Iterator?: { States?: Record<string, StateDefinitionLike> };
  Branches?: { States?: Record<string, StateDefinitionLike> }[];
}

/** Which states run inside a distributed Map's child executions, and which Maps are distributed. */
export function describeScopes(definition: { States: Record<string, unknown> }): {
  scopes: Map<string, StateScope>;
  distributedMaps: Set<string>;
} {
  const scopes = new Map<string, StateScope>();
  const distributedMaps = new Set<string>();
  const visit = (states: Record<string, StateDefinitionLike> | undefined, scope: StateScope) => {
    for (const [name, state] of Object.entries(states ?? {})) {
      scopes.set(name, scope);
      if (state.Type === 'Map') {
        const processor = state.ItemProcessor ?? state.Iterator;
        const distributed = state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
        if (distributed) distributedMaps.add(name);
        visit(processor?.States, distributed ? { distributedMap: name } : scope);
      }
      for (const branch of state.Branches ?? []) visit(branch.States, scope);
    }
  };
  visit(definition.States as Record<string, StateDefinitionLike>, {});
  return { scopes, distributedMaps };
}

/** Rebuilds the service-side history of one execution (and its distributed Map children). */
export function buildHistory(
  engineEvents: readonly EngineEvent[],
  definition: { States: Record<string, unknown> },
): ExecutionHistory {
  const { scopes, distributedMaps } = describeScopes(definition);
  const root: HistoryEvent[] = [];
  const children = new Map<string, ChildHistory>();
  const caught = new Set<string>();

  const child = (mapState: string, index: number): HistoryEvent[] => {
    const key = `${mapState}\u0000${index}`;
    let entry = children.get(key);
    if (!entry) {
      entry = { mapState, index, events: [] };
      children.set(key, entry);
    }
    return entry.events;
  };
  const historyOf = (stateName: string, index: number | undefined): HistoryEvent[] => {
    const map = scopes.get(stateName)?.distributedMap;
    return map !== undefined && index !== undefined ? child(map, index) : root;
  };

  for (const event of engineEvents) {
    const at = event.timestamp;
    const push = (target: HistoryEvent[], type: string, details?: Record<string, unknown>) =>
      target.push(details ? { type, timestamp: at, details } : { type, timestamp: at });

    switch (event.type) {
      case 'ExecutionStarted':
        push(root, 'ExecutionStarted', { input: event.input });
        break;
      case 'ExecutionSucceeded':
        push(root, 'ExecutionSucceeded', { output: event.output });
        break;
      case 'ExecutionFailed':
        push(root, 'ExecutionFailed', { error: event.Error, cause: event.Cause });
        break;
      case 'ExecutionAborted':
        push(root, 'ExecutionAborted');
        break;
      case 'ExecutionTimeout':
        push(root, 'ExecutionTimedOut');
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed': {
        const mapState = event.parentState?.name ?? '';
        const outcome = event.type.slice('MapIteration'.length);
        if (distributedMaps.has(mapState) && event.index !== undefined) {
          const details = outcome === 'Failed' ? { error: event.Error, cause: event.Cause } : undefined;
          push(child(mapState, event.index), `Execution${outcome}`, details);
        } else {
          push(root, event.type, { index: event.index });
        }
        break;
      }
      case 'StateEntered': {
        const state = event.state;
        if (!state) break;
        const target = historyOf(state.name, event.index);
        push(target, `${state.type}StateEntered`, { name: state.name, input: state.input });
        if (state.type === 'Task') {
          push(target, 'LambdaFunctionScheduled');
          push(target, 'LambdaFunctionStarted');
        } else if (state.type === 'Map') {
          push(target, distributedMaps.has(state.name) ? 'MapRunStarted' : 'MapStateStarted');
        } else if (state.type === 'Parallel') {
          push(target, 'ParallelStateStarted');
        }
        break;
      }
      case 'StateFailed': {
        const state = event.state;
        if (!state) break;
        const target = historyOf(state.name, event.index);
        const failure = { error: event.Error, cause: event.Cause };
        if (state.type === 'Task') push(target, 'LambdaFunctionFailed', failure);
        else if (state.type === 'Map') {
          if (distributedMaps.has(state.name)) push(target, 'MapRunFailed', failure);
          push(target, 'MapStateFailed', failure);
        } else if (state.type === 'Parallel') push(target, 'ParallelStateFailed', failure);
        break;
      }
      case 'StateRetried': {
        const state = event.state;
        if (!state) break;
        const target = historyOf(state.name, event.index);
        if (state.type === 'Task') {
          push(target, 'LambdaFunctionScheduled');
          push(target, 'LambdaFunctionStarted');
        } else if (state.type === 'Map') {
          push(target, distributedMaps.has(state.name) ? 'MapRunStarted' : 'MapStateStarted');
        } else if (state.type === 'Parallel') {
          push(target, 'ParallelStateStarted');
        }
        break;
      }
      case 'StateCaught':
        if (event.state) caught.add(stateKey(event.state.name, event.index));
        break;
      case 'StateExited': {
        const state = event.state;
        if (!state) break;
        const target = historyOf(state.name, event.index);
        const key = stateKey(state.name, event.index);
        // A caught failure already has its Failed event; the state then exits without a success.
        const wasCaught = caught.delete(key);
        if (!wasCaught) {
          if (state.type === 'Task') push(target, 'LambdaFunctionSucceeded');
          else if (state.type === 'Map') {
            push(target, distributedMaps.has(state.name) ? 'MapRunSucceeded' : 'MapStateSucceeded');
          } else if (state.type === 'Parallel') push(target, 'ParallelStateSucceeded');
        }
        push(target, `${state.type}StateExited`, { name: state.name, output: state.output });
        break;
      }
      default:
        // ParallelBranch* have no counterpart in the service's history.
        break;
    }
  }
  return { events: root, children: [...children.values()] };
}

function stateKey(name: string, index: number | undefined): string {
  return `${name}\u0000${index ?? ''}`;
}

export interface HistoryCounts {
  /** Events in the execution's own history. */
  execution: number;
  /** Events per distributed Map child execution. */
  children: { mapState: string; index: number; events: number }[];
  /** The largest single history (the figure to hold under 25,000). */
  largest: number;
}

export function countHistory(history: ExecutionHistory): HistoryCounts {
  const children = history.children.map((c) => ({
    mapState: c.mapState,
    index: c.index,
    events: c.events.length,
  }));
  return {
    execution: history.events.length,
    children,
    largest: Math.max(history.events.length, ...children.map((c) => c.events)),
  };
}
