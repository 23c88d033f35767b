import 'reflect-metadata';
import { IsString, Length } from 'class-validator';
import { inject } from 'inversify';
import { bootstrap, Handler, Notify, PitayaError, Request, TOKENS, TcpAcceptor, WsAcceptor } from '@pitaya-ts/core';
import type { GroupService, HandlerContext } from '@pitaya-ts/core';

class JoinRequest {
  @IsString() @Length(1, 32) name!: string;
}

@Handler('room') // routes chat.room.<method>
class RoomHandler {
  constructor(@inject(TOKENS.GroupService) private readonly groups: GroupService) {}

  async init() {
    await this.groups.create('lobby');
  }

  @Request(JoinRequest) // the body is validated as a JoinRequest: a failure is PIT-400 with the reasons
  async join({ name }: JoinRequest, { session }: HandlerContext) {
    await session.bind(name);
    await this.groups.addMember('lobby', name);
    return { members: await this.groups.members('lobby') };
  }

  @Notify() // a notify handler: no response; a Request to it is PIT-400
  async shout(body: { text: string }, { session }: HandlerContext) {
    if (!session.uid) throw PitayaError.badRequest('join first');
    await this.groups.broadcast('lobby', 'onShout', { from: session.uid, text: body.text });
  }
}

async function main() {
  const app = await bootstrap({
    serverType: 'chat',
    handlers: [RoomHandler],
    // this machine only; '0.0.0.0' (the default when no host is given) accepts other machines
    acceptors: [new WsAcceptor({ host: '127.0.0.1', port: 3250 }), new TcpAcceptor({ host: '127.0.0.1', port: 3251 })],
    routeDictionary: ['chat.room.join', 'onShout'], // route compression, sent in the handshake
    config: { pitaya: { heartbeat: { interval: '10s' } } },
  });
  await app.start(); // SIGTERM/SIGINT stop it gracefully
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
