import 'reflect-metadata';
import { IsString } from 'class-validator';
import { ContainerModule, inject } from 'inversify';
import {
  Handler,
  Notify,
  PitayaError,
  Request,
  TOKENS,
  type GroupService,
  type HandlerContext,
  type UserMessenger,
} from '@pitaya-ts/core';
import { MemoryGroupService } from '@pitaya-ts/core/provider';
import { Harness, RecordingReporter, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** A group service that remembers what it was asked, on top of the memory one. */
class AuditedGroups extends MemoryGroupService {
  readonly calls: string[] = [];
  constructor(messenger: UserMessenger) {
    super(messenger, 60_000);
  }
  override async start(): Promise<void> {
    this.calls.push('start');
    await super.start();
  }
  override async stop(): Promise<void> {
    this.calls.push('stop');
    await super.stop();
  }
  override async create(name: string, ttl?: number): Promise<void> {
    this.calls.push(`create ${name}`);
    await super.create(name, ttl);
  }
}

class NameDto {
  @IsString()
  name!: string;
}

@Handler()
class RoomHandler {
  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async open(body: { name: string }): Promise<boolean> {
    await this.groups.create(body.name);
    return this.groups.exists(body.name);
  }

  ok(): string {
    return 'ok';
  }

  full(): never {
    throw new PitayaError('PIT-555', 'room is full');
  }

  @Request()
  named(body: NameDto): string {
    return body.name;
  }

  @Notify()
  tell(_body: unknown, _ctx: HandlerContext): void {}
}

describe('swapping providers', () => {
  it('uses a group service rebound before start, in handlers and in the app', async () => {
    let custom: AuditedGroups | undefined;
    const app = await harness.server({
      handlers: [RoomHandler],
      beforeStart: (a) => {
        custom = new AuditedGroups(a.container.get(TOKENS.UserMessenger));
        a.container.rebind(TOKENS.GroupService).toConstantValue(custom);
      },
    });
    expect(app.groups).toBe(custom);
    const client = await harness.client(app);
    await expect(client.request('game.room.open', { name: 'lobby' })).resolves.toBe(true);
    await app.stop();
    expect(custom!.calls).toEqual(['start', 'create lobby', 'stop']);
  });

  it('loads providers given to bootstrap', async () => {
    const reporter = new RecordingReporter();
    const app = await harness.server({
      providers: [
        new ContainerModule(({ rebind }) => {
          rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
        }),
      ],
    });
    expect(app.container.get(TOKENS.MetricsReporter)).toBe(reporter);
    expect(reporter.started).toBe(true);
    await app.stop();
    expect(reporter.stopped).toBe(true);
  });
});

describe('metrics through a recording reporter', () => {
  async function measured() {
    const reporter = new RecordingReporter();
    const app = await harness.server({
      handlers: [RoomHandler],
      beforeStart: (a) => {
        a.container.rebind(TOKENS.MetricsReporter).toConstantValue(reporter);
      },
    });
    return { reporter, app, client: await harness.client(app) };
  }

  it("reports Pitaya's handler metrics with route, status, type and code", async () => {
    const { reporter, client } = await measured();
    await client.request('game.room.ok');
    await client.request('room.full').catch(() => undefined);
    client.notify('game.room.tell', {});
    await waitFor(() => reporter.of('handler_response_time_ns').length === 3);

    const responses = reporter.of('handler_response_time_ns');
    expect(responses.map((r) => r.labels)).toEqual([
      { route: 'game.room.ok', type: 'request', status: 'ok', code: '' },
      { route: 'game.room.full', type: 'request', status: 'failed', code: 'PIT-555' },
      { route: 'game.room.tell', type: 'notify', status: 'ok', code: '' },
    ]);
    for (const r of responses) {
      expect(r.kind).toBe('summary');
      expect(r.value).toBeGreaterThan(0); // nanoseconds
    }
    expect(reporter.of('handler_handler_delay_ns').map((r) => r.labels.route)).toEqual([
      'game.room.ok',
      'game.room.full',
      'game.room.tell',
    ]);
  });

  it('labels routes no handler serves as unknown, and keeps the route of bad requests to real ones', async () => {
    const { reporter, client } = await measured();
    await client.request('game.room.nope').catch(() => undefined);
    await client.request(`game.garbage${Math.random().toString(36).slice(2)}.x`).catch(() => undefined);
    await client.request('not-a-route').catch(() => undefined);
    await client.request('game.room.named', { name: 7 }).catch(() => undefined);
    await waitFor(() => reporter.of('handler_response_time_ns').length === 4);
    expect(reporter.of('handler_response_time_ns').map((r) => [r.labels.route, r.labels.code])).toEqual([
      ['unknown', 'PIT-404'],
      ['unknown', 'PIT-404'],
      ['unknown', 'PIT-400'],
      ['game.room.named', 'PIT-400'],
    ]);
  });

  it('reports the clients connected', async () => {
    const { reporter, app, client } = await measured();
    const gauge = () => reporter.of('acceptor_connected_clients').map((r) => r.value);
    expect(gauge()).toEqual([1]);
    const second = await harness.client(app);
    await waitFor(() => gauge().length === 2);
    await second.close();
    await client.close();
    await waitFor(() => gauge().length === 4);
    expect(gauge()).toEqual([1, 2, 1, 0]);
    expect(reporter.of('acceptor_connected_clients')[0]!.kind).toBe('gauge');
  });
});
