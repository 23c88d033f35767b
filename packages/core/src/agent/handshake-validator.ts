import type { HandshakeRequest } from '@pitaya-ts/protocol';

/** Checks a client's handshake; throwing (or rejecting) refuses it with code 400. */
export type HandshakeValidator = (handshake: HandshakeRequest) => void | Promise<void>;

/** Validators run in order; the name says which one refused. */
export type HandshakeValidators = readonly { name: string; validate: HandshakeValidator }[];
