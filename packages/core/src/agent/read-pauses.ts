import type { Packet } from '@pitaya-ts/protocol';
import type { PlayerConnection } from '../net/acceptor';
import { Fifo } from '../util/fifo';

/** Why an agent stops reading its client. */
export const Pause = {
  /** Too many of its messages wait for dispatch. */
  Backlog: 1,
  /** Its compressed bodies inflated more than their budget. */
  Inflate: 2,
  /** Its send queue is full: it does not read what it is sent. */
  SendQueue: 4,
} as const;
export type PauseReason = (typeof Pause)[keyof typeof Pause];

/**
 * Stops reading a connection for several reasons at once, each lifted on its own: reading resumes
 * when none is left. A transport may deliver packets it had read before it stopped: they wait
 * here, in order, and are handled first when reading resumes.
 */
export class ReadPauses {
  /** The reasons in force, as bits. */
  private pausedBy = 0;
  /** The server stops: nothing more is read, but what the transport had read is still handled. */
  private stopped = false;
  private held: Fifo<Packet> | undefined;

  constructor(
    private readonly conn: PlayerConnection,
    /** Handles a packet (the agent itself: no closure per connection). */
    private readonly handler: { handlePacket(packet: Packet): void },
  ) {}

  get paused(): boolean {
    return this.pausedBy !== 0;
  }

  /** Handles a packet from the transport now, or once reading resumes. */
  deliver(packet: Packet): void {
    if (this.pausedBy === 0 || this.stopped) this.handler.handlePacket(packet);
    else (this.held ??= new Fifo()).push(packet);
  }

  pause(reason: PauseReason): void {
    if (this.pausedBy === 0 && !this.stopped) this.conn.pause();
    this.pausedBy |= reason;
  }

  /** Lifts one reason; with none left, handles what was held, then reads again. True if it did. */
  resume(reason: PauseReason): boolean {
    if ((this.pausedBy & reason) === 0) return false;
    this.pausedBy &= ~reason;
    let packet: Packet | undefined;
    while (this.pausedBy === 0 && (packet = this.held?.shift()) !== undefined) this.handler.handlePacket(packet);
    if (this.pausedBy !== 0 || this.stopped) return false;
    this.conn.resume();
    return true;
  }

  /** Reads nothing more, for good; what was read already, held or still arriving, is handled. */
  stop(): void {
    if (this.stopped) return;
    if (this.pausedBy === 0) this.conn.pause();
    this.stopped = true;
    let packet: Packet | undefined;
    while ((packet = this.held?.shift()) !== undefined) this.handler.handlePacket(packet);
  }

  /** Forgets what was held: the connection is closing. */
  drop(): void {
    this.held = undefined;
  }
}
