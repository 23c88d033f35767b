import type { PitayaError } from '../errors/pitaya-error';
import type { ServerInfo } from '../rpc/service-discovery';

/** A call sent to another server and not answered yet. */
export interface InFlightCall {
  /** Order of sending. */
  readonly seq: number;
}

interface Entry extends InFlightCall {
  readonly calls: Set<Entry>;
  fail(error: PitayaError): void;
}

interface Waiting {
  server: ServerInfo;
  /** In the order they were sent: the first is the oldest. */
  calls: Set<Entry>;
}

/**
 * The calls this server is waiting on, by server. When a server turns out gone, the calls it will
 * never answer fail at once instead of waiting for their deadline.
 */
export class InFlightCalls {
  private sent = 0;
  private readonly byServer = new Map<string, Waiting>();

  /** The call last sent: those sent after it are not concerned by what is known now. */
  get lastSent(): number {
    return this.sent;
  }

  /** A call to `server`, until `end`; `fail` ends it early with an error. */
  start(server: ServerInfo, fail: (error: PitayaError) => void): InFlightCall {
    let waiting = this.byServer.get(server.id);
    if (!waiting) this.byServer.set(server.id, (waiting = { server, calls: new Set() }));
    const call: Entry = { seq: ++this.sent, calls: waiting.calls, fail };
    waiting.calls.add(call);
    return call;
  }

  /** The call is over; false when it was already (failed by `fail`). */
  end(call: InFlightCall): boolean {
    return (call as Entry).calls.delete(call as Entry);
  }

  /** Fails the calls to a server sent up to `sentUpTo` (all by default). */
  fail(serverId: string, error: PitayaError, sentUpTo = Infinity): void {
    const calls = this.byServer.get(serverId)?.calls;
    if (!calls) return;
    for (const call of calls) {
      if (call.seq > sentUpTo) continue;
      calls.delete(call);
      call.fail(error);
    }
  }

  /** The servers that have not answered a call sent up to `seq` yet. */
  *waitingSince(seq: number): Iterable<ServerInfo> {
    for (const { server, calls } of this.byServer.values()) {
      const oldest = calls.values().next().value;
      if (oldest && oldest.seq <= seq) yield server;
    }
  }

  /** The server left: its entry goes once no call waits on it. */
  forget(serverId: string): void {
    if (this.byServer.get(serverId)?.calls.size === 0) this.byServer.delete(serverId);
  }
}
