import { Fifo } from '../util/fifo';

/** A message's handling: a promise while it waits on something, nothing when it finished at once. */
export type Job = () => Promise<void> | undefined;

/** Runs message handling with bounded concurrency, in arrival order within each session. */
export interface Dispatcher {
  /** Queues a job behind the session's earlier ones. */
  dispatch(sessionId: number, job: Job): void;
  /**
   * The session's running job lets the next one start before it ends (a forward sent, in order,
   * to a server that handles the session's messages in order).
   */
  pass(sessionId: number): void;
  /** Slots taken now: sessions with jobs running. */
  readonly running: number;
  /** Jobs running now: several in a slot when a session's forwards are pipelined. */
  readonly runningJobs: number;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
}

interface SessionQueue {
  id: number;
  /** Jobs not started yet; made on the first such job (most sessions never have one). */
  jobs: Fifo<Job> | undefined;
  /** Its jobs running: it holds a slot while there is one. */
  active: number;
  /** Its latest job runs and has not passed the session's turn on. */
  holding: boolean;
  /** Waits in the ready queue for a slot. */
  queued: boolean;
  /** Jobs started since it took its slot. */
  rides: number;
  /** Jobs started: which run a job that ends was, and whether it still holds the turn. */
  runs: number;
}

/**
 * Pitaya's `pitaya.concurrency.handler.dispatch` bound, with one more guarantee Pitaya lacks
 * (its #179/#312): a session's messages never overtake each other. Sessions take turns for the
 * slots in FIFO order, so one busy session cannot starve the others. A session holds one slot at
 * most: the jobs a running one lets start (`pass`: forwards pipelined in order) run in it, up to
 * `ridesPerSlot` in all, then the session gives the slot up and waits for its turn again.
 */
export class OrderedDispatcher implements Dispatcher {
  /** Slots taken: sessions with jobs running. */
  running = 0;
  runningJobs = 0;
  private readonly queues = new Map<number, SessionQueue>();
  private readonly ready = new Fifo<SessionQueue>();
  private idleWaiters: (() => void)[] = [];
  /** `drain` is running the ready queue further up the stack: jobs that end at once do not recurse. */
  private draining = false;

  constructor(
    private readonly concurrency: number,
    private readonly ridesPerSlot = 1,
  ) {}

  dispatch(sessionId: number, job: Job): void {
    const queue = this.queues.get(sessionId);
    if (queue) {
      (queue.jobs ??= new Fifo()).push(job);
      // its turn is taken, or it waits for a slot: the job follows; or it joins the ones running
      this.advance(queue);
      return;
    }
    const fresh: SessionQueue = {
      id: sessionId,
      jobs: undefined,
      active: 0,
      holding: false,
      queued: false,
      rides: 0,
      runs: 0,
    };
    this.queues.set(sessionId, fresh);
    if (this.running < this.concurrency) this.take(fresh, job);
    else {
      fresh.jobs = new Fifo();
      fresh.jobs.push(job);
      fresh.queued = true;
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
    this.advance(queue);
    this.drain();
  }

  /** A slot for the session, and its job. */
  private take(queue: SessionQueue, job: Job): void {
    this.running++;
    queue.rides = 0;
    this.run(queue, job);
  }

  private run(queue: SessionQueue, job: Job): void {
    this.runningJobs++;
    queue.active++;
    queue.rides++;
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
    this.runningJobs--;
    queue.active--;
    if (queue.holding && queue.runs === run) queue.holding = false;
    if (queue.active === 0) this.running--;
    this.advance(queue);
    this.drain();
  }

  /** The session's turn is free: its next job joins its slot, or it waits for one, or it leaves. */
  private advance(queue: SessionQueue): void {
    if (queue.holding || queue.queued) return;
    const next = queue.jobs?.length ? queue.jobs : undefined;
    if (queue.active > 0) {
      // within its slot, as many as it may; past that, it waits for them to end
      if (next && queue.rides < this.ridesPerSlot) this.run(queue, nextJob(queue));
      return;
    }
    if (!next) {
      this.queues.delete(queue.id);
      return;
    }
    queue.queued = true;
    this.ready.push(queue);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      let next: SessionQueue | undefined;
      while (this.running < this.concurrency && (next = this.ready.shift()) !== undefined) {
        next.queued = false;
        this.take(next, nextJob(next));
      }
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
