import {
  encodeHandshakeResponse,
  encodePacket,
  HANDSHAKE_OK,
  HANDSHAKE_REJECTED,
  PacketType,
} from '@pitaya-ts/protocol';
import { ContainerModule, type ResolutionContext } from 'inversify';
import { ConnectionManager } from '../../agent/connection-manager';
import type { PitayaConfig } from '../../config/config-loader';
import { MessageProcessor } from '../../dispatch/message-processor';
import type { AcceptorSettings } from '../../net/acceptor';
import { nodeZlib } from '../../serialize/node-zlib';
import { OutboundEncoder } from '../../serialize/outbound';
import { TOKENS } from '../../tokens';

/** The handshake replies of this server, encoded once: Pitaya clients may get zlib, pomelo ones never. */
function handshakeReplies(c: ResolutionContext) {
  const dictionary = c.get(TOKENS.RouteDictionary);
  const config = c.get(TOKENS.Config);
  const sys = {
    heartbeat: config.get('pitaya.heartbeat.interval') / 1000,
    dict: dictionary.toJSON(),
    serializer: c.get(TOKENS.Serializer).name,
    // libpitaya compresses routes only when told to; Pitaya's own reply never says it
    ...(dictionary.size > 0 ? { useDict: true } : {}),
  };
  const reply = (compress: boolean) =>
    encodePacket(
      PacketType.Handshake,
      encodeHandshakeResponse({ code: HANDSHAKE_OK, sys }, { compress, zlib: nodeZlib }),
    );
  return {
    accepted: { pitaya: reply(config.get('pitaya.handler.messages.compression')), pomelo: reply(false) },
    refused: encodePacket(PacketType.Handshake, encodeHandshakeResponse({ code: HANDSHAKE_REJECTED })),
  };
}

/**
 * A frontend's side of the clients: the outbound encoder, the message processor (its handlers,
 * else the forwarder), and the connections with every setting of `pitaya.*` they need (not started).
 */
export function connectionsModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.OutboundEncoder).toDynamicValue(
      (ctx) =>
        new OutboundEncoder(
          ctx.get(TOKENS.RouteDictionary),
          ctx.get(TOKENS.Config).get('pitaya.handler.messages.compression'),
          nodeZlib,
        ),
    );
    bind(TOKENS.MessageProcessor).toDynamicValue(
      (ctx) =>
        new MessageProcessor(
          ctx.get(TOKENS.ServerInfo).type,
          ctx.get(TOKENS.Routes),
          ctx.get(TOKENS.HandlerService),
          ctx.get(TOKENS.Forwarder),
          ctx.get(TOKENS.MetricsReporter),
          ctx.get(TOKENS.Logger).child({ component: 'connections' }),
          ctx.get(TOKENS.Tracer),
        ),
    );
    bind(TOKENS.ConnectionManager).toDynamicValue((ctx) => connections(ctx));
  });
}

function connections(c: ResolutionContext): ConnectionManager {
  const config = c.get(TOKENS.Config);
  const reporter = c.get(TOKENS.MetricsReporter);
  const logger = c.get(TOKENS.Logger).child({ component: 'connections' });
  const replies = handshakeReplies(c);
  return new ConnectionManager(
    c.get(TOKENS.Acceptors),
    {
      pool: c.get(TOKENS.SessionLifecycle),
      dispatcher: c.get(TOKENS.Dispatcher),
      process: c.get(TOKENS.MessageProcessor).process,
      serializer: c.get(TOKENS.Serializer),
      outbound: c.get(TOKENS.OutboundEncoder),
      dictionary: c.get(TOKENS.RouteDictionary),
      zlib: nodeZlib,
      validators: c.get(TOKENS.HandshakeValidators),
      handshakeReply: replies.accepted,
      handshakeRefused: replies.refused,
      pushTypes: c.get(TOKENS.PushTypes),
      handshakeTimeoutMs: config.get('pitaya.handshake.timeout'),
      maxInflatedSize: config.get('pitaya.conn.inflate.maxsize'),
      inflateRate: config.get('pitaya.conn.inflate.rate'),
      sendQueueLimit: config.get('pitaya.buffer.agent.messages'),
      writeTimeoutMs: config.get('pitaya.buffer.agent.writetimeout'),
      dispatchBacklog: config.get('pitaya.buffer.handler.localprocess'),
      reporter,
      logger,
    },
    { heartbeatMs: config.get('pitaya.heartbeat.interval') },
    reporter,
    logger,
  );
}

/** What every acceptor is told at start. */
export function acceptorSettings(config: PitayaConfig): AcceptorSettings {
  return {
    maxPacketSize: config.get('pitaya.conn.maxpacketsize'),
    rateLimit: {
      limit: config.get('pitaya.conn.ratelimiting.limit'),
      intervalMs: config.get('pitaya.conn.ratelimiting.interval'),
    },
    rateLimitDisabled: config.get('pitaya.conn.ratelimiting.forcedisable'),
    proxyProtocol: config.get('pitaya.acceptor.proxyprotocol'),
    handshakeTimeoutMs: config.get('pitaya.handshake.timeout'),
    maxHeaderSize: config.get('pitaya.acceptor.ws.maxheadersize'),
  };
}
