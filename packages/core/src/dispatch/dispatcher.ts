import { Fifo } from '../util/fifo';

export type Job = () => Promise<void>;

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
  jobs: Fifo<Job>;
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

  constructor(private readonly concurrency: number) {}

  dispatch(sessionId: number, job: Job): void {
    let queue = this.queues.get(sessionId);
    if (!queue) this.queues.set(sessionId, (queue = { id: sessionId, jobs: new Fifo(), scheduled: false }));
    queue.jobs.push(job);
    if (!queue.scheduled) {
      queue.scheduled = true;
      if (this.running < this.concurrency) this.run(queue);
      else this.ready.push(queue);
    }
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.queues.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private run(queue: SessionQueue): void {
    this.running++;
    const job = queue.jobs.shift()!;
    let done: Promise<void>;
    try {
      done = job();
    } catch {
      done = Promise.resolve();
    }
    done.then(
      () => this.finish(queue),
      () => this.finish(queue),
    );
  }

  private finish(queue: SessionQueue): void {
    this.running--;
    if (queue.jobs.length > 0) this.ready.push(queue);
    else {
      queue.scheduled = false;
      this.queues.delete(queue.id);
    }
    while (this.running < this.concurrency && this.ready.length > 0) this.run(this.ready.shift()!);
    if (this.running === 0 && this.queues.size === 0 && this.idleWaiters.length > 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}
