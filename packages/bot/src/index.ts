/** pitaya-bot as a library: read and check a scenario, run it, format its report. */
export { defineScenario, type Duration, type Expectations, type Scenario, type Step } from './scenario/scenario';
export type { LoopStep, NotifyStep, RequestStep, SleepStep, WaitPushStep } from './scenario/scenario';
export { loadScenario, readScenario } from './scenario/load-scenario';
export { planScenario, ScenarioError } from './scenario/plan-scenario';
export type { Plan, PlannedStep } from './scenario/plan';
export { runScenario, type RunOptions } from './run/run-scenario';
export { formatReport, type Report, type RouteReport } from './report/report';
export { RunStats } from './report/run-stats';
