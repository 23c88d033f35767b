import { injectable } from 'inversify';

/** The time messages are stamped with: a provider of its own, so that tests can rebind it. */
@injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
