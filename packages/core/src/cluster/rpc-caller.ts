import { formatDuration } from '../config/duration';
import { ErrorCode, PitayaError } from '../errors/pitaya-error';
import type { RemoteService } from '../rpc/remote-service';
import type { RpcClient } from '../rpc/rpc-client';
import { RpcMsgType, RpcType, type RpcRequest, type RpcSession } from '../rpc/rpc-messages';
import type { ServerInfo } from '../rpc/service-discovery';
import type { UnreachableServers } from '../rpc/unreachable-servers';
import type { RouteParser } from '../routing/route';

export interface CallOptions {
  /** The caller's context, propagated beside Pitaya's keys. */
  metadata?: Record<string, unknown>;
  timeoutMs: number;
}

export interface SysCallOptions extends CallOptions {
  session: RpcSession;
  messageId: number;
  notify: boolean;
}

/**
 * Makes RPCs the way Pitaya does: Pitaya's metadata keys, a deadline that travels as
 * `reqTimeout`, PIT-408 when it passes, remote errors rethrown with their code and metadata.
 * A call to this very server never leaves the process. A server found unreachable is left out of
 * routing for a while.
 */
export class RpcCaller {
  constructor(
    private readonly self: ServerInfo,
    private readonly client: RpcClient,
    private readonly remotes: () => RemoteService,
    private readonly routes: RouteParser,
    private readonly unreachable: UnreachableServers,
  ) {}

  /** User RPC: a remote of `target`, argument and result serialized. */
  async user(target: ServerInfo, route: string, arg: Uint8Array, options: CallOptions): Promise<Uint8Array> {
    if (target.id === this.self.id) {
      return this.remotes().callSerialized(this.routes.parse(route), arg, options.metadata ?? {});
    }
    return this.send(
      target,
      {
        type: RpcType.User,
        msg: { id: 0, route, data: arg, type: RpcMsgType.Request },
        frontendId: this.self.frontend ? this.self.id : '',
        metadata: this.metadata(route, options),
      },
      options.timeoutMs,
    );
  }

  /** Sys RPC: a client message forwarded by this frontend to a handler of `target`. */
  sys(target: ServerInfo, route: string, body: Uint8Array, options: SysCallOptions): Promise<Uint8Array> {
    return this.send(
      target,
      {
        type: RpcType.Sys,
        session: options.session,
        msg: {
          id: options.messageId,
          route,
          data: body,
          type: options.notify ? RpcMsgType.Notify : RpcMsgType.Request,
        },
        frontendId: this.self.id,
        metadata: this.metadata(route, options),
      },
      options.timeoutMs,
    );
  }

  private metadata(route: string, options: CallOptions): Record<string, unknown> {
    return {
      ...options.metadata,
      'req-start-time': Date.now() * 1e6,
      'req-route': route,
      'peer.id': this.self.id,
      'peer.service': this.self.type,
      reqTimeout: formatDuration(options.timeoutMs),
    };
  }

  private async send(target: ServerInfo, request: RpcRequest, timeoutMs: number): Promise<Uint8Array> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            PitayaError.timeout(`RPC to ${target.id} timed out after ${formatDuration(timeoutMs)}`, {
              timeout: formatDuration(timeoutMs),
              route: request.msg.route,
              server: target.id,
              'peer.id': this.self.id,
            }),
          ),
        timeoutMs,
      );
    });
    try {
      const response = await Promise.race([this.client.call(target, request, timeoutMs), deadline]);
      if (response.error) {
        const { code, msg, metadata } = response.error;
        throw new PitayaError(code || ErrorCode.Unknown, msg, metadata ?? {});
      }
      return response.data ?? new Uint8Array(0);
    } catch (err) {
      // nobody received it: the server is gone, though discovery may list it for a while yet
      if (err instanceof PitayaError && err.unreachable) this.unreachable.mark(target.id);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
