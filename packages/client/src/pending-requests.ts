import { ClientError } from './errors';

export interface PendingRequest {
  route: string;
  /** Resolve with the undecoded bytes. */
  raw: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

// libpitaya reads ids as 32-bit: stay below 2^31
const MAX_REQUEST_ID = 0x7fffffff;

/** Requests waiting for their response, by message id, each with its deadline. */
export class PendingRequests {
  private readonly byId = new Map<number, PendingRequest & { timer: ReturnType<typeof setTimeout> }>();
  private nextId = 1;

  /** Registers a request and returns its message id; past `timeoutMs` it rejects with TIMEOUT. */
  add(request: PendingRequest, timeoutMs: number): number {
    const id = this.nextId;
    this.nextId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    const timer = setTimeout(() => {
      this.byId.delete(id);
      request.reject(new ClientError('TIMEOUT', `no answer to ${request.route} within ${timeoutMs} ms`));
    }, timeoutMs);
    this.byId.set(id, { ...request, timer });
    return id;
  }

  /** The request a response answers; undefined when it timed out already. */
  take(id: number): PendingRequest | undefined {
    const request = this.byId.get(id);
    if (!request) return undefined;
    this.byId.delete(id);
    clearTimeout(request.timer);
    return request;
  }

  rejectAll(error: Error): void {
    for (const request of this.byId.values()) {
      clearTimeout(request.timer);
      request.reject(error);
    }
    this.byId.clear();
  }
}
