import type { Expectations } from './scenario';

/** A scenario checked and normalized: what the bots run. */
export interface Plan {
  name: string;
  url: string | undefined;
  handshake: { sys?: Record<string, unknown>; user?: Record<string, unknown> };
  bots: number;
  rampUpMs: number;
  /** Infinity when only a duration bounds the run. */
  iterations: number;
  durationMs: number | undefined;
  timeoutMs: number;
  setup: PlannedStep[];
  steps: PlannedStep[];
}

interface Labelled {
  /** Where the step is written and what it does: `steps[2] request chat.room.join`. */
  label: string;
}

export type PlannedStep = Labelled &
  (
    | {
        kind: 'request';
        route: string;
        body: unknown;
        expect?: Expectations;
        expectError?: string;
        store?: Record<string, string>;
        timeoutMs?: number;
      }
    | { kind: 'notify'; route: string; body: unknown }
    | { kind: 'waitPush'; route: string; match?: Expectations; store?: Record<string, string>; timeoutMs?: number }
    | { kind: 'sleep'; ms: number }
    | { kind: 'loop'; times: number; steps: PlannedStep[] }
  );

/** Push routes some step waits for: the only pushes a bot keeps. */
export function awaitedPushRoutes(plan: Plan): Set<string> {
  const routes = new Set<string>();
  const visit = (steps: PlannedStep[]) => {
    for (const step of steps) {
      if (step.kind === 'waitPush') routes.add(step.route);
      if (step.kind === 'loop') visit(step.steps);
    }
  };
  visit(plan.setup);
  visit(plan.steps);
  return routes;
}
