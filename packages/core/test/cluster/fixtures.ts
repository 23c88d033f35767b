import 'reflect-metadata';
import { inject, type ContainerModule } from 'inversify';
import { connect, type PitayaClient } from '@pitaya-ts/client';
import {
  bootstrap,
  Handler,
  Notify,
  PitayaError,
  Remote,
  Request,
  TOKENS,
  WsAcceptor,
  type GroupService,
  type HandlerContext,
  type PitayaApp,
  type RemoteContext,
} from '@pitaya-ts/core';

export const quiet = { 'pitaya.log.level': 'silent' };

/** Where the `held` handler and remote wait until the test lets them go: slow for as long as a test needs. */
export class HeldCalls {
  private readonly waiting: (() => void)[] = [];

  /** Calls waiting now. */
  get count(): number {
    return this.waiting.length;
  }

  wait(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Lets every call waiting now go on. */
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

export const held = new HeldCalls();

/** The frontend's own route: binds the session. */
@Handler('entry')
export class EntryHandler {
  @Request()
  async login(body: { uid: string }, { session }: HandlerContext) {
    await session.bind(body.uid);
    return { ok: true, frontend: session.frontend };
  }

  /** What the backend's `append` left in the session, as the frontend holds it. */
  @Request()
  seen(_body: unknown, { session }: HandlerContext) {
    return { seen: session.get('seen') ?? [] };
  }
}

/** A backend handler that exercises what a backend session can do. */
@Handler('room')
export class RoomHandler {
  static notified: string[] = [];

  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async init() {
    await this.groups.create('all');
  }

  @Request()
  async whoami(_body: unknown, { session, metadata }: HandlerContext) {
    return {
      uid: session.uid ?? null,
      frontend: session.frontend,
      data: session.data(),
      peer: metadata['peer.service'],
    };
  }

  @Request()
  async bind(body: { uid: string }, { session }: HandlerContext) {
    await session.bind(body.uid);
    return { uid: session.uid };
  }

  @Request()
  async save(body: Record<string, unknown>, { session }: HandlerContext) {
    for (const [k, v] of Object.entries(body)) session.set(k, v);
    await session.pushToFront();
    return { ok: true };
  }

  /** Adds `n` to the session's `seen` list, pushed to the frontend. */
  @Request()
  async append(body: { n: number }, { session }: HandlerContext) {
    const seen = [...(session.get<number[]>('seen') ?? []), body.n];
    session.set('seen', seen);
    await session.pushToFront();
    return { seen };
  }

  @Request()
  async join(_body: unknown, { session }: HandlerContext) {
    await this.groups.addMember('all', session.uid!);
    await this.groups.broadcast('all', 'onJoin', { uid: session.uid }, { exclude: [session.uid!] });
    return { members: await this.groups.members('all') };
  }

  @Request()
  async kickme(_body: unknown, { session }: HandlerContext) {
    await session.kick();
    return { ok: true };
  }

  @Request()
  async pushme(body: { text: string }, { session }: HandlerContext) {
    await session.push('onPush', body);
    return { ok: true };
  }

  @Request()
  async fail() {
    throw new PitayaError('PIT-555', 'room is full', { room: 'lobby' });
  }

  @Request()
  async slow(body: { ms: number }) {
    await new Promise((resolve) => setTimeout(resolve, body.ms));
    return { slept: body.ms };
  }

  @Request()
  async held() {
    await held.wait();
    return { released: true };
  }

  @Notify()
  async note(body: { text: string }) {
    RoomHandler.notified.push(body.text);
  }
}

@Remote()
export class RoomRemote {
  async echo(arg: { n: number }, ctx: RemoteContext) {
    return { n: arg.n + 1, from: ctx.metadata['peer.service'], custom: ctx.metadata.custom ?? null };
  }

  async fail() {
    throw new PitayaError('PIT-556', 'remote says no', { why: 'test' });
  }

  async held() {
    await held.wait();
    return { released: true };
  }
}

export interface TestCluster {
  connectors: PitayaApp[];
  rooms: PitayaApp[];
  url(connector?: number): string;
  client(connector?: number): Promise<PitayaClient>;
  stop(): Promise<void>;
}

/** Connectors (frontends) and room servers (backends) sharing the providers given. */
export async function startCluster(
  providers: () => ContainerModule[],
  options: { connectors?: number; rooms?: number; config?: Record<string, unknown> } = {},
): Promise<TestCluster> {
  const config = { ...quiet, ...options.config };
  const clients: PitayaClient[] = [];
  const rooms: PitayaApp[] = [];
  for (let i = 0; i < (options.rooms ?? 1); i++) {
    const room = await bootstrap({
      serverType: 'room',
      serverId: `room-${i}`,
      handlers: [RoomHandler],
      remotes: [RoomRemote],
      providers: providers(),
      config,
      handleSignals: false,
    });
    await room.start();
    rooms.push(room);
  }
  const connectors: PitayaApp[] = [];
  for (let i = 0; i < (options.connectors ?? 1); i++) {
    const connector = await bootstrap({
      serverType: 'connector',
      serverId: `connector-${i}`,
      handlers: [EntryHandler],
      acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 0 })],
      providers: providers(),
      config,
      handleSignals: false,
    });
    await connector.start();
    connectors.push(connector);
  }
  const url = (n = 0) => `ws://127.0.0.1:${connectors[n]!.acceptors[0]!.address()!.port}`;
  return {
    connectors,
    rooms,
    url,
    async client(n = 0) {
      const client = await connect(url(n));
      clients.push(client);
      return client;
    },
    async stop() {
      held.release();
      await Promise.all(clients.map((c) => c.close()));
      for (const app of [...connectors, ...rooms]) await app.stop();
    },
  };
}
