import type { Socket } from 'node:net';

/**
 * Holds a socket's writes until the end of the event-loop turn (or until released earlier), then
 * lets them go in one syscall (writev). A small loopback write costs several microseconds; a
 * request burst, a broadcast or a response plus a push would otherwise pay it once per packet.
 */
export class WriteCoalescer {
  private corked = new Set<Socket>();
  private scheduled = false;

  /** Corks the socket until the end of this turn (once per turn, however many writes). */
  hold(socket: Socket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.releaseAll);
    }
  }

  /**
   * Lets the socket's writes go now: a connection whose reads are all answered has nothing more
   * to coalesce, and the end of the turn would only add latency. Later writes this turn cork it again.
   */
  release(socket: Socket): void {
    if (this.corked.delete(socket)) socket.uncork();
  }

  private readonly releaseAll = (): void => {
    const sockets = this.corked;
    this.corked = new Set();
    this.scheduled = false;
    for (const socket of sockets) socket.uncork();
  };
}
