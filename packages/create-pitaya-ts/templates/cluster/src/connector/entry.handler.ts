import { IsString, Length } from 'class-validator';
import { Handler, PitayaError, Request, type HandlerContext } from '@pitaya-ts/core';

export class LoginRequest {
  @IsString()
  @Length(1, 32)
  name!: string;
}

/** `connector.entry.*`: the connector's own routes; `room.*` routes go on to a room server. */
@Handler('entry')
export class EntryHandler {
  /** Binds the session to the player's name: room servers see it from then on. */
  @Request(LoginRequest)
  async login({ name }: LoginRequest, { session }: HandlerContext): Promise<{ ok: true }> {
    if (session.uid !== undefined) throw PitayaError.badRequest(`already logged in as ${session.uid}`);
    await session.bind(name);
    return { ok: true };
  }
}
