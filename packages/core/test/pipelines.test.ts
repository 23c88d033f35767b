import 'reflect-metadata';
import { IsInt, Min } from 'class-validator';
import { inject } from 'inversify';
import { PitayaError as ClientPitayaError } from '@pitaya-ts/client';
import {
  After,
  Before,
  BootError,
  errorMessage,
  Handler,
  PitayaError,
  Remote,
  Request,
  type AfterStep,
  type BeforeStep,
  type HandlerContext,
} from '@pitaya-ts/core';
import { Harness } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

interface Trail {
  trail: string[];
}

/** A before step appending its name to the body's trail; an after step appending to the result's. */
const mark =
  (name: string) =>
  (_ctx: HandlerContext, value: unknown): Trail => ({ trail: [...((value as Trail | undefined)?.trail ?? []), name] });

describe('pipeline order', () => {
  it('runs global, then class, then method steps, before and after', async () => {
    @Handler('ordered')
    @Before(mark('class-before-1'), mark('class-before-2'))
    @After(mark('class-after'))
    class OrderedHandler {
      @Before(mark('method-before'))
      @After(mark('method-after'))
      run(body: Trail): Trail {
        return { trail: [...body.trail, 'handler'] };
      }

      plain(body: Trail): Trail {
        return { trail: [...body.trail, 'handler'] };
      }
    }
    const app = await harness.server({
      handlers: [OrderedHandler],
      pipelines: { before: [mark('global-before')], after: [mark('global-after')] },
    });
    const client = await harness.client(app);
    await expect(client.request('game.ordered.run', { trail: [] })).resolves.toEqual({
      trail: [
        'global-before',
        'class-before-1',
        'class-before-2',
        'method-before',
        'handler',
        'global-after',
        'class-after',
        'method-after',
      ],
    });
    await expect(client.request('game.ordered.plain', { trail: [] })).resolves.toEqual({
      trail: ['global-before', 'class-before-1', 'class-before-2', 'handler', 'global-after', 'class-after'],
    });
  });

  it('does not run global handler pipelines for remotes', async () => {
    @Remote('r')
    class R {
      run(body: Trail): Trail {
        return { trail: [...body.trail, 'remote'] };
      }
    }
    const app = await harness.server({ remotes: [R], pipelines: { before: [mark('global')] } });
    await expect(app.rpc('game.r.run', { trail: [] })).resolves.toEqual({ trail: ['remote'] });
  });
});

describe('DTO validation in the pipeline', () => {
  class CountDto {
    @IsInt()
    @Min(1)
    count!: number;
  }

  const seenByGlobal: unknown[] = [];
  @Handler('counted')
  class CountedHandler {
    @Request()
    run(body: CountDto): { isDto: boolean; count: unknown } {
      return { isDto: body instanceof CountDto, count: body.count };
    }
  }
  const global = (_ctx: HandlerContext, body: unknown) => {
    seenByGlobal.push(body instanceof CountDto ? 'dto' : body);
    return body;
  };

  beforeEach(() => {
    seenByGlobal.length = 0;
  });

  it('runs first: global steps see the validated DTO, and never an invalid body', async () => {
    const app = await harness.server({ handlers: [CountedHandler], pipelines: { before: [global] } });
    const client = await harness.client(app);
    await expect(client.request('game.counted.run', { count: 2 })).resolves.toEqual({ isDto: true, count: 2 });
    await expect(client.request('game.counted.run', { count: 0 })).rejects.toMatchObject({ code: 'PIT-400' });
    expect(seenByGlobal).toEqual(['dto']);
  });

  it('is skipped with pitaya.defaultpipelines.structvalidation.enabled off', async () => {
    const app = await harness.server({
      handlers: [CountedHandler],
      pipelines: { before: [global] },
      config: { 'pitaya.defaultpipelines.structvalidation.enabled': false },
    });
    const client = await harness.client(app);
    await expect(client.request('game.counted.run', { count: 0 })).resolves.toEqual({ isDto: false, count: 0 });
    expect(seenByGlobal).toEqual([{ count: 0 }]);
  });
});

describe('pipeline steps', () => {
  it('aborts with the error of a before step that throws, without running the handler', async () => {
    const handler = jest.fn(() => 'ran');
    const after = jest.fn((_ctx: HandlerContext, result: unknown) => result);
    @Handler('guarded')
    class GuardedHandler {
      @Before(() => {
        throw new PitayaError('PIT-401', 'not logged in', { step: 'auth' });
      })
      @After(after)
      run(): string {
        return handler();
      }
    }
    const app = await harness.server({ handlers: [GuardedHandler] });
    const client = await harness.client(app);
    const error = await client.request('game.guarded.run').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ClientPitayaError);
    expect(error).toMatchObject({ code: 'PIT-401', msg: 'not logged in', metadata: { step: 'auth' } });
    expect(handler).not.toHaveBeenCalled();
    expect(after).not.toHaveBeenCalled();
  });

  it('passes the body a before step returns to the handler, and the result an after step returns to the client', async () => {
    @Handler('transform')
    class TransformHandler {
      @Before((_ctx, body) => ({ n: (body as { n: number }).n * 10 }))
      @After(async (ctx, result) => ({ route: ctx.route, doubled: (result as number) * 2 }))
      run(body: { n: number }): number {
        return body.n + 1;
      }
    }
    const app = await harness.server({ handlers: [TransformHandler] });
    const client = await harness.client(app);
    await expect(client.request('game.transform.run', { n: 4 })).resolves.toEqual({
      route: 'game.transform.run',
      doubled: 82,
    });
  });

  it('skips the after steps of a handler that failed', async () => {
    const after = jest.fn(() => 'recovered');
    @Handler('failing')
    class FailingHandler {
      @After(after)
      run(): never {
        throw new PitayaError('PIT-409', 'conflict');
      }
    }
    const app = await harness.server({ handlers: [FailingHandler] });
    const client = await harness.client(app);
    await expect(client.request('game.failing.run')).rejects.toMatchObject({ code: 'PIT-409' });
    expect(after).not.toHaveBeenCalled();
  });

  it('resolves a class step from the container, with its own dependencies', async () => {
    const PREFIX = Symbol('prefix');

    class PrefixStep implements BeforeStep, AfterStep {
      constructor(@inject(PREFIX) private readonly prefix: string) {}
      before(_ctx: HandlerContext, body: unknown): unknown {
        return `${this.prefix}:${String(body)}`;
      }
      after(_ctx: HandlerContext, result: unknown): unknown {
        return `${String(result)}:${this.prefix}`;
      }
    }

    @Handler('stepped')
    @Before(PrefixStep)
    @After(PrefixStep)
    class SteppedHandler {
      run(body: string): string {
        return `<${body}>`;
      }
    }
    const app = await harness.server({
      handlers: [SteppedHandler],
      beforeStart: (a) => {
        a.container.bind(PREFIX).toConstantValue('p');
      },
    });
    const client = await harness.client(app);
    await expect(client.request('game.stepped.run', 'x')).resolves.toBe('<p:x>:p');
    // one instance, from the container
    expect(app.container.get(PrefixStep)).toBeInstanceOf(PrefixStep);
  });

  it('resolves a step bound to a token', async () => {
    const STEP = Symbol('step');
    @Handler('tokened')
    @Before(STEP)
    class TokenedHandler {
      run(body: string): string {
        return body;
      }
    }
    const app = await harness.server({
      handlers: [TokenedHandler],
      beforeStart: (a) => {
        a.container.bind(STEP).toConstantValue({ before: (_ctx: HandlerContext, body: unknown) => `${String(body)}!` });
      },
    });
    const client = await harness.client(app);
    await expect(client.request('game.tokened.run', 'hi')).resolves.toBe('hi!');
  });

  it('refuses to boot with a @Before token that is not bound', async () => {
    const MISSING = Symbol('missing-step');
    @Handler('unbound')
    class UnboundHandler {
      @Before(MISSING)
      run(): void {}
    }
    const app = await harness.build({ handlers: [UnboundHandler] });
    await expect(app.start()).rejects.toThrow(BootError);
    await expect((await harness.build({ handlers: [UnboundHandler] })).start().catch(errorMessage)).resolves.toContain(
      'missing-step',
    );
  });

  it('refuses to boot with a step class that lacks the phase method', async () => {
    class OnlyBefore implements BeforeStep {
      before(_ctx: HandlerContext, body: unknown): unknown {
        return body;
      }
    }
    @Handler('wrongphase')
    class WrongPhaseHandler {
      @After(OnlyBefore)
      run(): void {}
    }
    const app = await harness.build({ handlers: [WrongPhaseHandler] });
    await expect(app.start()).rejects.toThrow(/OnlyBefore has no after\(\)/);
  });
});
