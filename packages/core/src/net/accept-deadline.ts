import type { Socket } from 'node:net';

/**
 * Cuts a client socket that has not become a player connection (TLS handshake done, WebSocket
 * upgraded) within the handshake timeout of its accept. Node's own timeouts do not: nothing limits
 * a socket that never sends a request, and a TLS handshake or request head trickled a byte at a
 * time keeps its idle timer from ever running out.
 */
export class AcceptDeadlines {
  // keyed by peer: the TLS socket over an accepted TCP socket is another object with the same peer
  private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly timeoutMs: number) {}

  /** A TCP socket was just accepted: its deadline runs from now. */
  readonly accepted = (socket: Socket): void => {
    if (this.timeoutMs <= 0) return;
    const peer = peerOf(socket);
    this.pending.set(
      peer,
      setTimeout(() => socket.destroy(), this.timeoutMs),
    );
    socket.once('close', () => this.forget(peer));
  };

  /** The socket (or the TLS socket over it) became a player connection in time. */
  met(socket: Socket): void {
    this.forget(peerOf(socket));
  }

  private forget(peer: string): void {
    clearTimeout(this.pending.get(peer));
    this.pending.delete(peer);
  }
}

const peerOf = (socket: Socket) => `${socket.remoteAddress}:${socket.remotePort}`;
