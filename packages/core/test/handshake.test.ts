import 'reflect-metadata';
import { ClientError, connect } from '@pitaya-ts/client';
import type { HandshakeRequest } from '@pitaya-ts/protocol';
import { Handler, type HandlerContext, type HandshakeValidator } from '@pitaya-ts/core';
import { Harness, urlOf, waitFor } from './helpers';

const harness = new Harness();
afterEach(() => harness.cleanup());

@Handler()
class InfoHandler {
  version(_body: unknown, { session }: HandlerContext): unknown {
    return session.handshake?.user?.version;
  }
}

async function connectError(url: string, handshakeData: Record<string, unknown>): Promise<ClientError> {
  const error = await connect(url, { handshakeData, timeout: 2000 }).then(
    async (client) => {
      await client.close();
      return new Error('expected the handshake to be refused');
    },
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(ClientError);
  return error as ClientError;
}

describe('handshake validators', () => {
  it('run in order with the handshake the client sent, and let a valid client in', async () => {
    const calls: string[] = [];
    const seen: HandshakeRequest[] = [];
    const app = await harness.server({
      handlers: [InfoHandler],
      handshakeValidators: {
        version: (handshake) => {
          calls.push('version');
          seen.push(handshake);
        },
        platform: async (handshake) => {
          await new Promise((resolve) => setImmediate(resolve));
          calls.push('platform');
          if (handshake.sys?.platform !== 'node') throw new Error('unsupported platform');
        },
      },
    });
    const client = await harness.client(app, { handshakeData: { version: '2.1.0', token: 'abc' } });
    expect(calls).toEqual(['version', 'platform']);
    expect(seen[0]!.user).toEqual({ version: '2.1.0', token: 'abc' });
    expect(seen[0]!.sys).toMatchObject({ platform: 'node' });
    await expect(client.request('game.info.version')).resolves.toBe('2.1.0');
  });

  it.each<[string, HandshakeValidator]>([
    [
      'throws',
      (h) => {
        if (h.user?.version !== '2') throw new Error('client too old');
      },
    ],
    ['rejects', async (h) => (h.user?.version === '2' ? undefined : Promise.reject(new Error('client too old')))],
  ])('refuse the client when one %s, with HANDSHAKE_FAILED, and skip the next ones', async (_how, validator) => {
    const later = jest.fn();
    const app = await harness.server({
      handlers: [InfoHandler],
      handshakeValidators: { minVersion: validator, later },
    });
    const error = await connectError(urlOf(app), { version: '1' });
    expect(error.code).toBe('HANDSHAKE_FAILED');
    expect(later).not.toHaveBeenCalled();
    await waitFor(() => app.sessions.count === 0, 'the refused session to close');

    // the same server lets a valid client in
    const client = await harness.client(app, { handshakeData: { version: '2' } });
    await expect(client.request('game.info.version')).resolves.toBe('2');
    expect(later).toHaveBeenCalledTimes(1);
  });
});
