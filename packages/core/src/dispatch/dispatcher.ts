import { Fifo } from '../util/fifo';

/** A message's handling: a promise while it waits on something, nothing when it finished at once. */
export type Job = () => Promise<void> | undefined;

/** Runs message handling with bounded concurrency, in arrival order within each session. */
export interface Dispatcher {
  /** Queues a job behind the session's earlier ones. */
  dispatch(sessionId: number, job: Job): void;
  /**
   * The session's running job lets the next one start before it ends (a forward sent, in order,
   * to a server that handles the session's messages in order); it keeps its slot until it ends.
   */
  pass(sessionId: number): void;
  /** Jobs running now. */
  readonly running: number;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

interface SessionQueue {
  id: number;
  /** Jobs behind the running one; made on the first such job (most sessions never have one). */
  jobs: Fifo<Job> | undefined;
  /** Its latest job runs and has not passed the session's turn on. */
  holding: boolean;
  /** Jobs started: which run a job that ends was, and whether it still holds the turn. */
  runs: number;
}

/**
 * Pitaya's `pitaya.concurrency.handler.dispatch` bound, with one more guarantee Pitaya lacks
 * (its #179/#312): a session's messages never overtake each other. Sessions take turns for the
 * slots in FIFO order, so one busy session cannot starve the others.
 */
export class OrderedDispatcher implements Dispatcher {
  running = 0;
  private readonly queues = new Map<number, SessionQueue>();
  private readonly ready = new Fifo<SessionQueue>();
  private idleWaiters: (() => void)[] = [];
  /** `drain` is running the ready queue further up the stack: jobs that end at once do not recurse. */
  private draining = false;

  constructor(private readonly concurrency: number) {}

  dispatch(sessionId: number, job: Job): void {
    const queue = this.queues.get(sessionId);
    if (queue) {
      (queue.jobs ??= new Fifo()).push(job);
      return; // it runs or waits for a slot already: the job follows
    }
    const fresh: SessionQueue = { id: sessionId, jobs: undefined, holding: false, runs: 0 };
    this.queues.set(sessionId, fresh);
    if (this.running < this.concurrency) this.run(fresh, job);
    else {
      fresh.jobs = new Fifo();
      fresh.jobs.push(job);
      this.ready.push(fresh);
    }
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  pass(sessionId: number): void {
    const queue = this.queues.get(sessionId);
    if (!queue?.holding) return;
    queue.holding = false;
    this.next(queue);
    this.drain();
  }

  private run(queue: SessionQueue, job: Job): void {
    this.running++;
    queue.holding = true;
    const run = ++queue.runs;
    let done: Promise<void> | undefined;
    try {
      done = job();
    } catch {
      done = undefined;
    }
    // a job that finished at once costs no promise turn: the next one runs now
    if (done === undefined) return this.ended(queue, run);
    const ended = () => this.ended(queue, run);
    done.then(ended, ended);
  }

  private ended(queue: SessionQueue, run: number): void {
    this.running--;
    if (queue.holding && queue.runs === run) {
      queue.holding = false;
      this.next(queue);
    }
    this.drain();
  }

  /** The session's turn goes to its next job, which waits for a slot; with none, the session leaves. */
  private next(queue: SessionQueue): void {
    if (queue.jobs !== undefined && queue.jobs.length > 0) this.ready.push(queue);
    else this.queues.delete(queue.id);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      let next: SessionQueue | undefined;
      while (this.running < this.concurrency && (next = this.ready.shift()) !== undefined)
        this.run(next, nextJob(next));
    } finally {
      this.draining = false;
    }
    if (this.running === 0 && this.queues.size === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

/** The next job of a queue from `ready`: a queue is ready only with a job waiting. */
function nextJob(queue: SessionQueue): Job {
  const job = queue.jobs?.shift();
  if (!job) throw new Error(`session ${queue.id} was ready with no job waiting`);
  return job;
}
