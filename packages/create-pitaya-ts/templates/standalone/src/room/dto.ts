import { IsString, Length, Matches } from 'class-validator';

export class JoinRequest {
  @IsString()
  @Length(1, 32)
  name!: string;

  @IsString()
  @Matches(/^[a-z0-9-]{1,32}$/, { message: 'room: 1 to 32 lower-case letters, digits or -' })
  room!: string;
}

export class SayRequest {
  @IsString()
  @Length(1, 500)
  text!: string;
}

export interface JoinResponse {
  members: string[];
}

/** What everyone in the room hears, on the `onMessage` route. */
export interface ChatMessage {
  from: string;
  text: string;
  at: number;
}
