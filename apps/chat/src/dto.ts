import { IsString, Length } from 'class-validator';

export class JoinRequest {
  @IsString()
  @Length(1, 32)
  name!: string;
}

export class SendRequest {
  @IsString()
  @Length(1, 500)
  text!: string;
}

export interface JoinResponse {
  members: string[];
}
