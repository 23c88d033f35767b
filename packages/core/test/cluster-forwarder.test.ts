import { PitayaError, type Router, type ServerInfo, type Session } from '@pitaya-ts/core';
import {
  clusterForwarder,
  FORWARDS_IN_ORDER,
  FORWARDS_METADATA_KEY,
  SessionForwards,
  type ForwardOrder,
  type RpcCaller,
} from '@pitaya-ts/core/provider';

const server = (id: string): ServerInfo => ({
  id,
  type: 'room',
  frontend: false,
  hostname: 'h',
  metadata: { [FORWARDS_METADATA_KEY]: FORWARDS_IN_ORDER },
});
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A session's forwards through the cluster forwarder, with calls the test answers by hand. */
function harness(retryTo: Record<string, ServerInfo>) {
  const sent: string[] = [];
  const calls = new Map<string, { resolve: (bytes: Uint8Array) => void; reject: (err: unknown) => void }>();
  const caller = {
    ordered: true,
    sys: (target: ServerInfo, _route: string, body: Uint8Array) => {
      sent.push(`${text(body)}->${target.id}`);
      return new Promise<Uint8Array>((resolve, reject) => calls.set(`${text(body)}@${target.id}`, { resolve, reject }));
    },
  } as unknown as RpcCaller;
  // first to X; once X is found unreachable, each message to the server the test names
  const router = {
    route: async (_type: string, _route: string, _session: unknown, body: Uint8Array, exclude?: ReadonlySet<string>) =>
      exclude?.has('X') ? retryTo[text(body)]! : server('X'),
  } as unknown as Router;
  const forward = clusterForwarder(router, caller, 5000, 10);
  const earlier = new SessionForwards();
  const session = { id: 1, uid: 'u', data: () => ({}) } as unknown as Session;
  const send = (name: string) => {
    let seq = 0;
    const order: ForwardOrder = {
      earlier,
      sent: (number, target) => {
        seq = number;
        earlier.sent(number, target);
      },
    };
    const message = { id: 1, route: 'room.h.m', body: new TextEncoder().encode(name), type: 0 } as never;
    const answer = forward({ serverType: 'room', full: 'room.h.m' } as never, 'request', session, message, {}, order);
    const settle = () => earlier.answered(seq);
    answer.then(settle, settle);
    return answer;
  };
  return { sent, calls, send, earlier };
}

describe('clusterForwarder', () => {
  it('sends the retries of pipelined forwards to other servers one after the other, in order', async () => {
    const { sent, calls, send, earlier } = harness({ B: server('Y'), C: server('Z') });
    const a = send('A');
    await turn();
    const b = send('B');
    await turn();
    const c = send('C');
    await turn();
    expect(sent).toEqual(['A->X', 'B->X', 'C->X']);
    // X stops: B and C were not run there, and go elsewhere, behind A which X still answers
    calls.get('B@X')!.reject(PitayaError.unreachable('X'));
    calls.get('C@X')!.reject(PitayaError.unreachable('X'));
    await turn();
    expect(sent).toEqual(['A->X', 'B->X', 'C->X']);
    calls.get('A@X')!.resolve(new Uint8Array(0));
    await turn();
    // only B: C goes to another server, so it waits for B's answer
    expect(sent.slice(3)).toEqual(['B->Y']);
    expect([earlier.count, earlier.target]).toEqual([1, 'Y']);
    calls.get('B@Y')!.resolve(new Uint8Array(0));
    await turn();
    expect(sent.slice(3)).toEqual(['B->Y', 'C->Z']);
    calls.get('C@Z')!.resolve(new Uint8Array(0));
    await Promise.all([a, b, c]);
    expect(earlier.count).toBe(0);
  });
});
