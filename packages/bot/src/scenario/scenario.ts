/**
 * A scenario as written in YAML, JSON or a TypeScript module. Strings in bodies, expectations and
 * patterns may hold `${name}`: a value stored by an earlier step, or `bot` (the bot's number, from
 * 1), `iteration` (from 1), `loop` (the innermost loop's turn, from 1). A string that is only
 * `${name}` takes the value itself (a number stays a number).
 */
export interface Scenario {
  name?: string;
  /** Where the bots connect (`ws://`, `wss://`, `tcp://`, `tls://`); `--url` overrides it. */
  url?: string;
  /** Sent at connect: Pitaya's `sys` block and the application's `user` data. */
  handshake?: { sys?: Record<string, unknown>; user?: Record<string, unknown> };
  /** How many bots run at once (default 1). */
  bots?: number;
  /** The bots start evenly over this time (default 0: all at once). */
  rampUp?: Duration;
  /** How many times each bot runs `steps` (default 1, or unbounded when `duration` is set). */
  iterations?: number;
  /** Each bot starts no iteration after this time. */
  duration?: Duration;
  /** Deadline of a request or of a push wait without its own `timeout` (default 5s). */
  timeout?: Duration;
  /** Run once per connection, before the first iteration (log in, join a room...). */
  setup?: Step[];
  /** Run `iterations` times. */
  steps: Step[];
}

/** Milliseconds, or a string such as `250ms`, `2s`, `1m`. */
export type Duration = number | string;

/**
 * Where a value is expected: a literal (deep equality), or one operator such as
 * `{ $contains: x }`, `{ $regex: '^a' }`, `{ $exists: false }`, `{ $type: 'string' }`,
 * `{ $gte: 1 }`, `{ $lte: 9 }`, `{ $length: 3 }`.
 */
export type Expectations = Record<string, unknown>;

export interface RequestStep {
  request: string;
  body?: unknown;
  /** Dot paths of the answer (`members`, `members.0`, `room.name`) and what they must hold. */
  expect?: Expectations;
  /** The error code the answer must carry (`PIT-400`); a success is then a failure. */
  expectError?: string;
  /** Names to store, each a dot path of the answer (`''` for the whole answer). */
  store?: Record<string, string>;
  timeout?: Duration;
}

export interface NotifyStep {
  notify: string;
  body?: unknown;
}

export interface WaitPushStep {
  /** A push route; a push that arrived before this step counts too. */
  waitPush: string;
  /** Dot paths of the push and what they must hold; pushes that do not match are skipped. */
  match?: Expectations;
  store?: Record<string, string>;
  timeout?: Duration;
}

export interface SleepStep {
  sleep: Duration;
}

export interface LoopStep {
  loop: number;
  steps: Step[];
}

export type Step = RequestStep | NotifyStep | WaitPushStep | SleepStep | LoopStep;

/** Types a TypeScript scenario module: `export default defineScenario({ ... })`. */
export function defineScenario(scenario: Scenario): Scenario {
  return scenario;
}
