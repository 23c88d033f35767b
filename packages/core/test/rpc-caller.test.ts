import 'reflect-metadata';
import { parseDuration, PitayaError, type RpcClient, type ServerInfo } from '@pitaya-ts/core';
import { UnreachableServers, type RpcRequest, type RpcResponse } from '@pitaya-ts/core/provider';
import { RpcCaller } from '../src/cluster/rpc-caller';
import { NO_TRACER } from '../src/tracing/tracer';
import { markDeadline } from '../src/cluster/deadline';
import { RouteParser } from '../src/routing/route';
import { deferred, waitFor, type Deferred } from './helpers';

const self: ServerInfo = { id: 'front-1', type: 'connector', frontend: true, hostname: 'h', metadata: {} };
const room: ServerInfo = { id: 'room-1', type: 'room', frontend: false, hostname: 'h', metadata: {} };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

/** An RPC client whose calls are answered by hand, in any order. */
class ManualClient implements RpcClient {
  readonly clustered = true;
  readonly calls: { request: RpcRequest; answer: Deferred<RpcResponse> }[] = [];
  async start() {}
  async stop() {}
  async pushToUser() {}
  async kickUser() {}
  async announceBind() {}
  answerAll() {
    for (const { answer } of this.calls) answer.resolve({ data: new Uint8Array(0) });
  }

  call(_server: ServerInfo, request: RpcRequest): Promise<RpcResponse> {
    const answer = deferred<RpcResponse>();
    this.calls.push({ request, answer });
    return answer.promise;
  }
}

function setup(probeMs = 0) {
  const client = new ManualClient();
  const unreachable = new UnreachableServers(60_000);
  const remotes = (): never => {
    throw new Error('no call here is to this server');
  };
  const caller = new RpcCaller(self, client, remotes, new RouteParser('connector'), unreachable, probeMs, NO_TRACER);
  const call = (n: number, timeoutMs = 60_000, metadata?: Record<string, unknown>) =>
    caller.user(room, 'room.r.m', bytes(`call ${n}`), { timeoutMs, metadata }).then(
      (data) => text(data),
      (err: unknown) => err,
    );
  return { client, unreachable, caller, call };
}

describe('RPC calls to a server that goes away', () => {
  it('fails the calls sent before a no-responders answer, and leaves those sent after it alone', async () => {
    const { client, unreachable, call } = setup();
    const before = call(1);
    const refused = call(2);
    const after = call(3);
    client.calls[1]!.answer.reject(PitayaError.unreachable(room.id));

    // the first reached the server, which died with it: an error, not a retry
    await expect(before).resolves.toMatchObject({
      code: 'PIT-500',
      message: 'server room-1 went away before answering',
      unreachable: false,
    });
    await expect(refused).resolves.toMatchObject({ unreachable: true });
    expect(unreachable.has(room.id)).toBe(true);
    // the last went out after the refused one: its own answer decides
    client.calls[2]!.answer.resolve({ data: bytes('three') });
    await expect(after).resolves.toBe('three');
    // an answer that comes for a failed call changes nothing
    client.calls[0]!.answer.resolve({ data: bytes('late') });
  });

  it('fails the calls in flight to a server that left discovery, once the grace has passed', async () => {
    const { client, caller, call } = setup();
    const inFlight = call(1);
    caller.serverLeft(room.id, 0);
    const later = call(2);
    await expect(inFlight).resolves.toMatchObject({
      code: 'PIT-500',
      message: 'server room-1 left the cluster before answering',
      unreachable: false,
    });
    client.calls[1]!.answer.resolve({ data: bytes('two') });
    await expect(later).resolves.toBe('two');
  });

  it('probes a server whose calls wait, and fails them once it turns out nobody serves it', async () => {
    const { client, caller, call } = setup(20);
    const waiting = call(1);
    // no other call goes there: the probe is what finds out
    await waitFor(() => client.calls.length === 2, 2000, 'a probe');
    const probe = client.calls[1]!;
    expect(probe.request.msg.route).toBe('sys.__probe');
    probe.answer.reject(PitayaError.unreachable(room.id));
    await expect(waiting).resolves.toMatchObject({ message: 'server room-1 went away before answering' });
    caller.stop();
  });

  it('never takes an error answered by the server for a call nobody received', async () => {
    const { client, unreachable, call } = setup();
    const answered = call(1);
    client.calls[0]!.answer.resolve({
      error: { code: 'PIT-500', msg: 'server room-2 is unreachable', metadata: { unreachable: 'true' } },
    });
    await expect(answered).resolves.toMatchObject({ code: 'PIT-500', unreachable: false });
    expect(unreachable.has(room.id)).toBe(false);
  });
});

describe('the deadline of a call made for a request', () => {
  it('is cut to what the request has left, minus its way back, and travels as reqTimeout', async () => {
    const { client, call } = setup();
    const metadata: Record<string, unknown> = { custom: 'yes' };
    markDeadline(metadata, 1000);
    void call(1, 5000, metadata);
    const sent = client.calls[0]!.request.metadata;
    const reqTimeout = parseDuration(sent.reqTimeout as string)!;
    expect(reqTimeout).toBeGreaterThan(0);
    expect(reqTimeout).toBeLessThanOrEqual(900);
    expect(sent.custom).toBe('yes');
    client.answerAll();
  });

  it('keeps its own timeout when it is the shorter, and when no request is behind it', async () => {
    const { client, call } = setup();
    const metadata: Record<string, unknown> = {};
    markDeadline(metadata, 60_000);
    void call(1, 2000, metadata);
    void call(2, 3000);
    expect(client.calls.map((c) => c.request.metadata.reqTimeout)).toEqual(['2s', '3s']);
    client.answerAll();
  });
});
