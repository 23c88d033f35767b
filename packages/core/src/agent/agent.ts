import {
  clientFamily,
  type ClientFamily,
  decodeHandshakeRequest,
  decodeMessage,
  errorMessage,
  isBodyCompressed,
  kickPacket,
  type Message,
  MessageBodyError,
  MessageType,
  type Packet,
  PacketType,
  ProtocolError,
  type RouteDictionary,
  type ZlibCodec,
} from '@pitaya-ts/protocol';
import { PitayaError } from '../errors/pitaya-error';
import type { Dispatcher } from '../dispatch/dispatcher';
import type { MessageSender, ProcessMessage } from '../dispatch/message-processor';
import type { Logger } from '../logging/logger';
import { Metric, type MetricsReporter } from '../metrics/metrics-reporter';
import type { ConnectionHandlers, PlayerConnection } from '../net/acceptor';
import type { Serializer } from '../serialize/serializer';
import type { FrontendSession, SessionLink } from '../session/frontend-session';
import type { SessionLifecycle } from '../session/session-pool';
import { Fifo } from '../util/fifo';
import type { HandshakeValidators } from './handshake-validator';
import { InflateBudget } from './inflate-budget';
import type { OutboundEncoder, PreparedPush } from '../serialize/outbound';
import { Pause, ReadPauses, type PauseReason } from './read-pauses';

/** What every agent of a server shares, built once at start. */
export interface AgentEnvironment {
  pool: SessionLifecycle;
  dispatcher: Dispatcher;
  process: ProcessMessage;
  serializer: Serializer;
  outbound: OutboundEncoder;
  dictionary: RouteDictionary;
  zlib: ZlibCodec;
  validators: HandshakeValidators;
  /** Handshake packets, encoded once: Pitaya clients may get zlib, pomelo clients never do. */
  handshakeReply: Record<ClientFamily, Uint8Array>;
  handshakeRefused: Uint8Array;
  pushTypes: Record<string, string>;
  handshakeTimeoutMs: number;
  /** `pitaya.conn.inflate.maxsize` */
  maxInflatedSize: number;
  /** `pitaya.conn.inflate.rate`: inflated bytes per second per connection; 0 for no limit. */
  inflateRate: number;
  sendQueueLimit: number;
  /** `pitaya.buffer.agent.writetimeout` */
  writeTimeoutMs: number;
  dispatchBacklog: number;
  reporter: MetricsReporter;
  logger: Logger;
  onClosed(agent: Agent): void;
}

type State = 'handshake' | 'validating' | 'ack' | 'working' | 'closed';

const isFromClient = (type: MessageType) => type === MessageType.Request || type === MessageType.Notify;

/** Never pushed to: an agent makes its own queue when a packet has to wait. */
const NOTHING_QUEUED: Uint8Array[] = [];

/**
 * One client connection on a frontend (Pitaya's agent): handshake, heartbeat bookkeeping, the
 * bounded send queue, dispatch of messages, and the session's link to its client.
 */
export class Agent implements SessionLink, MessageSender, ConnectionHandlers {
  readonly session: FrontendSession;
  state: State = 'handshake';
  family: ClientFamily = 'pitaya';
  lastReceived: number;
  /** Messages dropped because the client did not read fast enough. */
  dropped = 0;
  /** Packets waiting for the socket to drain: the shared empty array until there is one. */
  private queue: Uint8Array[] = NOTHING_QUEUED;
  /** Runs out while the socket has not drained for the write timeout. */
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;
  /**
   * The messages read and not yet handled, oldest first (a session's messages settle in order);
   * made on the first message, as idle connections are many.
   */
  private handling: Fifo<Message> | undefined;
  private readonly reading: ReadPauses;
  private inflateBudget: InflateBudget | undefined;
  private handshakeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly conn: PlayerConnection,
    private readonly env: AgentEnvironment,
  ) {
    this.lastReceived = Date.now();
    this.session = env.pool.create(this);
    this.reading = new ReadPauses(conn, this);
    if (env.handshakeTimeoutMs > 0) {
      this.handshakeTimer = setTimeout(() => this.close('handshake timeout'), env.handshakeTimeoutMs);
    }
    // the agent is its connection's handlers: no object and closures more per connection
    conn.setHandlers(this);
  }

  get remoteAddress(): string {
    return this.conn.remoteAddress;
  }

  /** Pitaya clients inflate zlib bodies; pomelo-family clients cannot. */
  private get canInflate(): boolean {
    return this.family === 'pitaya';
  }

  /** ConnectionHandlers: bad framing from the client. */
  onProtocolError(error: Error): void {
    this.protocolError(error.message);
  }

  /** ConnectionHandlers: a packet dropped by rate limiting. */
  onDropped(): void {
    this.env.reporter.reportCount(Metric.ExceededRateLimiting, {}, 1);
  }

  /** ConnectionHandlers: a packet from the client. */
  onPacket(packet: Packet): void {
    this.lastReceived = Date.now();
    this.reading.deliver(packet);
  }

  /** ReadPauses: a packet read, to handle now. */
  handlePacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.Heartbeat:
        return;
      case PacketType.Data:
        if (this.state !== 'working') return this.protocolError('data before the handshake ack');
        return this.onData(packet.body);
      case PacketType.Handshake:
        if (this.state !== 'handshake') return this.protocolError('a second handshake');
        void this.handshake(packet.body);
        return;
      case PacketType.HandshakeAck:
        if (this.state !== 'ack') return this.protocolError('handshake ack without a handshake');
        this.state = 'working';
        clearTimeout(this.handshakeTimer);
        this.handshakeTimer = undefined; // a cleared timer still holds its callback: ~200 bytes per connection
        return;
      default:
        return this.protocolError(`unexpected packet type ${packet.type} from a client`);
    }
  }

  private async handshake(body: Uint8Array): Promise<void> {
    this.state = 'validating';
    let request;
    try {
      request = decodeHandshakeRequest(body);
    } catch (err) {
      this.refuseHandshake(errorMessage(err));
      return;
    }
    for (const { name, validate } of this.env.validators) {
      try {
        await validate(request);
      } catch (err) {
        this.refuseHandshake(`validator ${name}: ${errorMessage(err)}`);
        return;
      }
    }
    // closed meanwhile? (read as State: TypeScript keeps `state` narrowed across the awaits)
    if ((this.state as State) !== 'validating') return;
    this.family = clientFamily(request);
    this.session.handshake = request;
    this.state = 'ack';
    this.send(this.env.handshakeReply[this.family]);
  }

  private refuseHandshake(reason: string): void {
    this.env.logger.debug({ session: this.session.id, reason }, 'handshake refused');
    this.send(this.env.handshakeRefused);
    this.close(`handshake refused: ${reason}`);
  }

  private onData(body: Uint8Array): void {
    let message: Message;
    try {
      message = decodeMessage(body, {
        dictionary: this.env.dictionary,
        maxBodySize: this.env.maxInflatedSize,
        zlib: this.env.zlib,
      });
    } catch (err) {
      if (err instanceof MessageBodyError) return this.uninflatable(err);
      return this.protocolError((err as ProtocolError).message);
    }
    if (!isFromClient(message.type)) return this.protocolError('clients send only requests and notifies');
    const receivedAt = performance.now();
    (this.handling ??= new Fifo()).push(message);
    if (this.env.inflateRate > 0 && isBodyCompressed(body)) this.payForInflating(message.body.length, receivedAt);
    if (++this.inFlight > this.env.dispatchBacklog) this.reading.pause(Pause.Backlog);
    this.env.dispatcher.dispatch(this.session.id, () => {
      const done = this.env.process(this, message, receivedAt);
      if (done === undefined) {
        this.settled(message);
        return undefined;
      }
      // not finally(): that costs a promise and a turn more; the dispatcher sees `done` itself
      const settled = () => this.settled(message);
      done.then(settled, settled);
      return done;
    });
  }

  /** A body that does not inflate within the limit: a bad request, not a reason to drop the client. */
  private uninflatable({ head, message }: MessageBodyError): void {
    if (!isFromClient(head.type)) return this.protocolError('clients send only requests and notifies');
    // it may have cost that much before failing
    if (this.env.inflateRate > 0) this.payForInflating(this.env.maxInflatedSize, performance.now());
    if (head.type === MessageType.Request) this.respondError(head.id, PitayaError.badRequest(message));
    else this.env.logger.debug({ session: this.session.id, route: head.route, reason: message }, 'notify dropped');
  }

  private settled(message: Message): void {
    // in the order read, but for pipelined forwards answered out of order (a timeout, a retry)
    this.handling?.remove(message);
    // every message read is answered: the answers go now, in one write (a connection delivering
    // a read sends them once the read's other messages have had their turn)
    if (--this.inFlight === 0) this.conn.flush();
    if (this.inFlight <= this.env.dispatchBacklog / 2) this.resume(Pause.Backlog);
  }

  /** Stops reading until the budget has paid for the bytes just inflated. */
  private payForInflating(bytes: number, now: number): void {
    const waitMs = (this.inflateBudget ??= new InflateBudget(this.env.inflateRate, now)).spend(bytes, now);
    if (waitMs === 0) return;
    this.reading.pause(Pause.Inflate);
    setTimeout(() => this.resume(Pause.Inflate), waitMs);
  }

  private resume(reason: PauseReason): void {
    // its heartbeats waited unread meanwhile: its silence counts from now
    if (this.reading.resume(reason)) this.lastReceived = Date.now();
  }

  /** Server shutdown: reads nothing more; what was read is still handled and answered. */
  stopReading(): void {
    this.reading.stop();
  }

  /**
   * Server shutdown, once what was read is answered or the shutdown timeout passed: what is still
   * unanswered gets PIT-503, then the connection closes. Returns how many requests got the error.
   */
  shutdown(reason: string): number {
    if (this.state === 'closed') return 0;
    const error = PitayaError.shuttingDown();
    let answered = 0;
    let message: Message | undefined;
    while ((message = this.handling?.shift()) !== undefined) {
      if (message.type !== MessageType.Request) continue;
      this.respondError(message.id, error);
      answered++;
    }
    this.close(reason);
    return answered;
  }

  private protocolError(reason: string): void {
    this.env.logger.debug({ session: this.session.id, reason }, 'protocol error, closing the connection');
    this.close(`protocol error: ${reason}`);
  }

  /** Queues a packet; when the client stops reading, queues up to the limit, then drops and counts. */
  send(packet: Uint8Array): void {
    if (this.state === 'closed') return;
    if (this.queue.length === 0 && !this.conn.needsDrain) {
      this.conn.write(packet);
      return;
    }
    if (this.queue.length >= this.env.sendQueueLimit) {
      this.dropped++;
      this.env.reporter.reportCount(Metric.AgentDroppedMessages, {}, 1);
      return;
    }
    if (this.queue.length === 0) this.watchWrites();
    if (this.queue === NOTHING_QUEUED) this.queue = [];
    this.queue.push(packet);
    // a client that does not read what it is sent is not read either
    if (this.queue.length >= this.env.sendQueueLimit) this.reading.pause(Pause.SendQueue);
  }

  /** ConnectionHandlers: the socket takes writes again. */
  onDrain(): void {
    let written = 0;
    while (written < this.queue.length && !this.conn.needsDrain) {
      const packet = this.queue[written++];
      if (packet) this.conn.write(packet); // always there (written < length); a for-of would cost an iterator
    }
    this.queue.splice(0, written);
    if (this.queue.length === 0) {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
    }
    if (this.queue.length <= this.env.sendQueueLimit / 2) this.resume(Pause.SendQueue);
  }

  /** The socket stopped draining: closes the connection if it has not drained within the write timeout. */
  private watchWrites(): void {
    this.writeTimer = setTimeout(() => {
      // judged after this turn's I/O: a drain that waited behind a stall of this process counts
      setImmediate(() => {
        if (this.queue.length > 0) this.close('write timeout');
      });
    }, this.env.writeTimeoutMs);
  }

  respond(id: number, body: Uint8Array): void {
    this.send(this.env.outbound.response(id, body, false, this.canInflate));
  }

  respondError(id: number, error: PitayaError): void {
    const body = this.env.serializer.marshalError(error.toWire());
    this.send(this.env.outbound.response(id, body, true, this.canInflate));
  }

  pass(): void {
    this.env.dispatcher.pass(this.session.id);
  }

  push(route: string, body: unknown): void {
    const bytes = this.env.serializer.marshal(body, this.env.pushTypes[route]);
    this.send(this.env.outbound.push(route, bytes, this.canInflate));
  }

  sendPrepared(push: PreparedPush): void {
    this.send(push.packet(this.canInflate));
  }

  kick(reason?: string): void {
    if (this.state === 'closed') return;
    // Pitaya kicks with an empty body; pomelo clients read a reason
    this.send(kickPacket(this.family === 'pomelo' ? (reason ?? 'kicked') : undefined));
    this.close(reason ? `kicked: ${reason}` : 'kicked');
  }

  /**
   * Called by the heartbeat ticker: a heartbeat, or a close when the client went silent. `judge` is
   * false right after the server itself stalled: what the clients sent meanwhile is still waiting
   * to be read, so their silence proves nothing yet; nor does it while the agent does not read.
   */
  tick(now: number, heartbeat: Uint8Array, intervalMs: number, judge = true): void {
    if (judge && !this.reading.paused && now - this.lastReceived > 2 * intervalMs)
      return this.close('heartbeat timeout');
    if (this.state === 'working') this.send(heartbeat);
  }

  close(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.writeTimer);
    this.reading.drop();
    this.env.logger.debug({ session: this.session.id, reason }, 'closing connection');
    // what is queued (the last answers, a kick) goes out before the close: the socket buffers it
    for (const packet of this.queue) this.conn.write(packet);
    this.queue.length = 0;
    this.conn.close();
  }

  /** ConnectionHandlers: the connection is gone. */
  onClose(): void {
    this.state = 'closed';
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.writeTimer);
    this.queue.length = 0;
    this.reading.drop();
    this.env.onClosed(this);
  }
}
