import 'reflect-metadata';
import { inject } from 'inversify';
import {
  After,
  Before,
  Handler,
  Remote,
  TOKENS,
  ValidationStep,
  type PitayaServer,
  type BeforeStep,
  type HandlerContext,
  type RemoteContext,
  type StepContext,
} from '@pitaya-ts/core';
import { Harness } from './helpers';

const handlerStep = (ctx: HandlerContext, body: unknown) => (ctx.session.uid === undefined ? body : body);
const remoteStep = (ctx: RemoteContext, body: unknown) => ({ ...(body as object), remote: ctx.route });
const eitherStep = (ctx: StepContext, body: unknown) => (ctx.kind === 'handler' ? ctx.session.id : body);
class SessionStep implements BeforeStep {
  before(ctx: HandlerContext, body: unknown): unknown {
    return ctx.session.uid ?? body;
  }
}

/**
 * Checked by `tsc --noEmit` (part of `npm test`): each @ts-expect-error must be an error. A step
 * written for handlers reads the session, which a remote is not given.
 */
export function typeChecks(): unknown[] {
  @Handler()
  @Before(handlerStep, SessionStep)
  @Before(eitherStep, ValidationStep)
  @Before((ctx) => ctx.session.uid)
  class RoomHandler {
    @Before((ctx) => ctx.session.uid)
    @After(eitherStep)
    join(_body: unknown, ctx: HandlerContext) {
      return ctx.session.uid;
    }

    // @ts-expect-error a remote's step on a handler
    @Before(remoteStep)
    leave(_body: unknown, ctx: HandlerContext) {
      return ctx.session.uid;
    }
  }

  @Remote()
  @Before(remoteStep)
  @Before(eitherStep, ValidationStep)
  class RoomRemote {
    // @ts-expect-error a remote has no session
    @Before((ctx) => ctx.session.uid)
    stats(_arg: unknown, ctx: RemoteContext) {
      return ctx.route;
    }

    // @ts-expect-error a handler's step on a remote: it reads the session
    @Before(SessionStep)
    leave(_arg: unknown, ctx: RemoteContext) {
      return ctx.route;
    }

    @Before<RemoteContext>((ctx, arg) => ({ ...(arg as object), route: ctx.route }))
    @After(eitherStep)
    grant(_arg: unknown, ctx: RemoteContext) {
      return ctx.metadata;
    }
  }

  // @ts-expect-error a handler's step on a whole remote class
  @Before(handlerStep)
  @Remote()
  class StatsRemote {
    count(_arg: unknown, ctx: RemoteContext) {
      return ctx.route;
    }
  }
  return [RoomHandler, RoomRemote, StatsRemote];
}

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('contexts', () => {
  it('give a remote and its steps a remote context, without a session even when the caller has one', async () => {
    const seen: { handler?: HandlerContext; remote?: RemoteContext } = {};
    @Remote('r')
    class R {
      @Before(remoteStep)
      run(arg: { n: number }, ctx: RemoteContext) {
        seen.remote = ctx;
        return arg;
      }
    }
    @Handler('h')
    class H {
      constructor(@inject(TOKENS.App) private readonly app: PitayaServer) {}

      call(_body: unknown, ctx: HandlerContext) {
        seen.handler = ctx;
        return this.app.rpc('game.r.run', { n: 1 }, { session: ctx.session });
      }
    }
    const app = await harness.server({ handlers: [H], remotes: [R] });
    const client = await harness.client(app);
    await expect(client.request('game.h.call', {})).resolves.toEqual({ n: 1, remote: 'game.r.run' });
    expect(seen.handler).toMatchObject({ kind: 'handler', type: 'request', session: { id: expect.any(Number) } });
    expect(seen.remote).toMatchObject({ kind: 'remote', route: 'game.r.run', service: 'r', method: 'run' });
    expect(seen.remote).not.toHaveProperty('session');
  });
});
