/** The application cannot start as declared: a duplicate route, an unbound token, a bad name. */
export class BootError extends Error {
  override readonly name = 'BootError';
}
