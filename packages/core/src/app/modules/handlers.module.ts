import { ContainerModule, type Container, type Newable } from 'inversify';
import { SysRemote } from '../../cluster/sys-remote';
import { HandlerService } from '../../handler/handler-service';
import { RemoteService } from '../../handler/remote-service';
import { ModuleRegistry } from '../../modules/module-registry';
import { scanComponents } from '../../routing/component-scanner';
import { RouteParser } from '../../routing/route';
import { RouteRegistry } from '../../routing/route-registry';
import { RpcCodec } from '../../serialize/rpc-codec';
import { TOKENS } from '../../tokens';

export interface ComponentClasses {
  handlers: Newable<object>[];
  remotes: Newable<object>[];
}

/**
 * What runs this server's routes: the handler and remote classes, scanned when first resolved
 * (at start, after the providers had their say), their registry, and the services that run them.
 * The scan binds each class in `container` and resolves its pipeline steps there.
 */
export function handlersModule(container: Container, classes: ComponentClasses): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.Routes).toDynamicValue((ctx) => new RouteParser(ctx.get(TOKENS.ServerInfo).type));
    bind(SysRemote).toDynamicValue((ctx) => new SysRemote(ctx.get(TOKENS.SessionPool)));
    bind(TOKENS.Components).toDynamicValue((ctx) => {
      const pipelines = ctx.get(TOKENS.GlobalPipelines);
      const scan = {
        globalBefore: pipelines.before,
        globalAfter: pipelines.after,
        validation: ctx.get(TOKENS.Config).get('pitaya.defaultpipelines.structvalidation.enabled'),
      };
      const handlers = scanComponents(container, classes.handlers, 'handler', scan);
      // frontends answer Pitaya's sys remotes: backends bind, update and kick sessions through them
      const remoteClasses = ctx.get(TOKENS.ServerInfo).frontend ? [SysRemote, ...classes.remotes] : classes.remotes;
      const remotes = scanComponents(container, remoteClasses, 'remote', {
        ...scan,
        globalBefore: [],
        globalAfter: [],
      });
      return { handlers, remotes };
    });
    bind(TOKENS.RouteRegistry).toDynamicValue((ctx) => {
      const { handlers, remotes } = ctx.get(TOKENS.Components);
      return new RouteRegistry(handlers, remotes);
    });
    bind(TOKENS.HandlerService).toDynamicValue(
      (ctx) => new HandlerService(ctx.get(TOKENS.RouteRegistry), ctx.get(TOKENS.Serializer)),
    );
    bind(TOKENS.RpcCodec).toDynamicValue((ctx) => {
      const config = ctx.get(TOKENS.Config);
      return new RpcCodec(
        config.get('pitaya.serializer.protobuf.files'),
        config.get('pitaya.serializer.json.maxdepth'),
      );
    });
    bind(TOKENS.RemoteService).toDynamicValue(
      (ctx) => new RemoteService(ctx.get(TOKENS.RouteRegistry), ctx.get(TOKENS.RpcCodec)),
    );
    bind(TOKENS.ModuleRegistry).toDynamicValue((ctx) => new ModuleRegistry(ctx.get(TOKENS.Modules)));
  });
}
