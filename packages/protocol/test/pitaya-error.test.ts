import { ErrorCode, PitayaError } from '@pitaya-ts/protocol';

describe('PitayaError', () => {
  it('is recognised by its brand, not by its class', () => {
    class RoomFull extends PitayaError {
      constructor() {
        super('PIT-555', 'room is full');
      }
    }
    expect(PitayaError.is(new PitayaError('PIT-555', 'room is full'))).toBe(true);
    expect(PitayaError.is(new RoomFull())).toBe(true);
    expect(PitayaError.is(PitayaError.unreachable('room-1'))).toBe(true);

    // what another copy of the class makes: the same brand, another prototype chain
    const brand = Symbol.for('@pitaya-ts/PitayaError');
    const foreign = Object.assign(new Error('room is full'), { code: 'PIT-555', [brand]: true });
    expect(foreign instanceof PitayaError).toBe(false);
    expect(PitayaError.is(foreign)).toBe(true);
  });

  it('takes nothing that only looks like one for one', () => {
    const error = new PitayaError('PIT-555', 'room is full', { room: 'lobby' });
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- a copy that lost the prototype, on purpose
    expect(PitayaError.is({ ...error })).toBe(false);
    expect(PitayaError.is({ name: 'PitayaError', code: 'PIT-555', msg: 'room is full' })).toBe(false);
    expect(PitayaError.is(new Error('room is full'))).toBe(false);
    expect(PitayaError.is(JSON.parse(JSON.stringify(error)))).toBe(false);
    for (const value of [undefined, null, 'PIT-555', 555]) expect(PitayaError.is(value)).toBe(false);
  });

  it('has its reason as message and msg, and sends code, msg and metadata on the wire', () => {
    const error = new PitayaError('PIT-555', 'room is full', { room: 'lobby' });
    expect(error).toMatchObject({ name: 'PitayaError', code: 'PIT-555', message: 'room is full', msg: 'room is full' });
    expect(error.toWire()).toEqual({ code: 'PIT-555', msg: 'room is full', metadata: { room: 'lobby' } });
    expect(PitayaError.internal().toWire()).toEqual({ code: ErrorCode.Internal, msg: 'internal server error' });
  });

  it('keeps the unreachable signal to the error the RPC client made: not on the wire, not in a copy', () => {
    const error = PitayaError.unreachable('room-1');
    expect(error.unreachable).toBe(true);
    expect(error.toWire()).toEqual({
      code: 'PIT-500',
      msg: 'server room-1 is unreachable',
      metadata: { server: 'room-1' },
    });
    expect(JSON.stringify(error)).not.toContain('notHandled');
    // eslint-disable-next-line @typescript-eslint/no-misused-spread -- what a spread copies is the point
    expect(Object.getOwnPropertySymbols({ ...error })).toEqual([]);
    // a server that rebuilds it from an answer has only code, msg and metadata
    const { code, msg, metadata } = error.toWire();
    expect(new PitayaError(code, msg, metadata).unreachable).toBe(false);
    expect(new PitayaError('PIT-500', 'nope').unreachable).toBe(false);
  });

  it("marks a stopping server's answer as not run, and nothing else", () => {
    expect(PitayaError.isNotRun(PitayaError.notRun('room-1'))).toBe(true);
    expect(PitayaError.isNotRun(PitayaError.unreachable('room-1').toWire())).toBe(false);
    expect(PitayaError.isNotRun({ code: 'PIT-500', msg: 'x', metadata: { unreachable: 'true' } })).toBe(false);
  });
});
