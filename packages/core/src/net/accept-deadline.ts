import type { Socket } from 'node:net';

interface Deadline {
  socket: Socket;
  timer: ReturnType<typeof setTimeout>;
  /** Its socket's 'close' listener. */
  closed: () => void;
}

/**
 * Cuts a client socket that has not become a player connection (TLS handshake done, WebSocket
 * upgraded) within the handshake timeout of its accept. Node's own timeouts do not: nothing limits
 * a socket that never sends a request, and a TLS handshake or request head trickled a byte at a
 * time keeps its idle timer from ever running out.
 */
export class AcceptDeadlines {
  // keyed by peer: the TLS socket over an accepted TCP socket is another object with the same peer
  private readonly pending = new Map<string, Deadline>();

  constructor(private readonly timeoutMs: number) {}

  /** A TCP socket was just accepted: its deadline runs from now. */
  readonly accepted = (socket: Socket): void => {
    if (this.timeoutMs <= 0) return;
    const peer = peerOf(socket);
    const deadline: Deadline = {
      socket,
      timer: setTimeout(() => socket.destroy(), this.timeoutMs),
      closed: () => this.forget(peer, deadline),
    };
    socket.once('close', deadline.closed);
    this.pending.set(peer, deadline);
  };

  /** The socket (or the TLS socket over it) became a player connection in time. */
  met(socket: Socket): void {
    const peer = peerOf(socket);
    const deadline = this.pending.get(peer);
    if (!deadline) return;
    // nothing of it stays with a connection that lives on
    deadline.socket.off('close', deadline.closed);
    this.forget(peer, deadline);
  }

  private forget(peer: string, deadline: Deadline): void {
    clearTimeout(deadline.timer);
    if (this.pending.get(peer) === deadline) this.pending.delete(peer);
  }
}

const peerOf = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;
