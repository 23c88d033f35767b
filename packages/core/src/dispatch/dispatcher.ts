import { Fifo } from '../util/fifo';

/** A message's handling: a promise while it waits on something, nothing when it finished at once. */
export type Job = () => Promise<void> | undefined;

/** Runs message handling with bounded concurrency, in arrival order within each session. */
export interface Dispatcher {
  /** Queues a job behind the session's earlier ones. */
  dispatch(sessionId: number, job: Job): void;
  /** Jobs running now. */
  readonly running: number;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

interface SessionQueue {
  id: number;
  /** Jobs behind the running one; made on the first such job (most sessions never have one). */
  jobs: Fifo<Job> | undefined;
  /** running, or waiting in the ready queue */
  scheduled: boolean;
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
  /** `finish` is running the ready queue further up the stack: jobs that end at once do not recurse. */
  private draining = false;

  constructor(private readonly concurrency: number) {}

  dispatch(sessionId: number, job: Job): void {
    const queue = this.queues.get(sessionId);
    if (queue) {
      (queue.jobs ??= new Fifo()).push(job);
      return; // it runs or waits for a slot already: the job follows
    }
    const fresh: SessionQueue = { id: sessionId, jobs: undefined, scheduled: true };
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

  private run(queue: SessionQueue, job: Job): void {
    this.running++;
    let done: Promise<void> | undefined;
    try {
      done = job();
    } catch {
      done = undefined;
    }
    // a job that finished at once costs no promise turn: the next one runs now
    if (done === undefined) return this.finish(queue);
    const finish = () => this.finish(queue);
    done.then(finish, finish);
  }

  private finish(queue: SessionQueue): void {
    this.running--;
    if (queue.jobs !== undefined && queue.jobs.length > 0) this.ready.push(queue);
    else {
      queue.scheduled = false;
      this.queues.delete(queue.id);
    }
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
