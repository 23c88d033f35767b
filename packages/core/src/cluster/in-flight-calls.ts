import type { PitayaError } from '../errors/pitaya-error';

/** A call sent to another server and not answered yet. */
export interface InFlightCall {
  /** Order of sending. */
  readonly seq: number;
}

interface Entry extends InFlightCall {
  readonly calls: Set<Entry>;
  fail(error: PitayaError): void;
}

/**
 * The calls this server is waiting on, by server. When a server turns out gone, the calls it will
 * never answer fail at once instead of waiting for their deadline.
 */
export class InFlightCalls {
  private sent = 0;
  private readonly byServer = new Map<string, Set<Entry>>();

  /** The call last sent: those sent after it are not concerned by what is known now. */
  get lastSent(): number {
    return this.sent;
  }

  /** A call to `serverId`, until `end`; `fail` ends it early with an error. */
  start(serverId: string, fail: (error: PitayaError) => void): InFlightCall {
    let calls = this.byServer.get(serverId);
    if (!calls) this.byServer.set(serverId, (calls = new Set()));
    const call: Entry = { seq: ++this.sent, calls, fail };
    calls.add(call);
    return call;
  }

  /** The call is over; false when it was already (failed by `fail`). */
  end(call: InFlightCall): boolean {
    return (call as Entry).calls.delete(call as Entry);
  }

  /** Fails the calls to a server sent up to `sentUpTo` (all by default). */
  fail(serverId: string, error: PitayaError, sentUpTo = Infinity): void {
    const calls = this.byServer.get(serverId);
    if (!calls) return;
    for (const call of calls) {
      if (call.seq > sentUpTo) continue;
      calls.delete(call);
      call.fail(error);
    }
  }

  /** The server left: its entry goes once no call waits on it. */
  forget(serverId: string): void {
    if (this.byServer.get(serverId)?.size === 0) this.byServer.delete(serverId);
  }
}
