/**
 * Domain errors: each module declares an enum of codes and one exception class made here, with the
 * HTTP status of every code in one table (twenty's `*.exception.ts` pattern). The global filter
 * turns any `DomainException` into the contract's error body; socket handlers turn it into an
 * `{ok:false, error: code}` acknowledgement. Throw sites name a code, never an inline string.
 */
export abstract class DomainException<C extends string = string> extends Error {
  abstract readonly status: number;

  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown[],
    /** Extra response headers, e.g. `Retry-After`. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export interface DomainExceptionClass<C extends string> {
  new (code: C, message: string, details?: unknown[], headers?: Record<string, string>): DomainException<C>;
  readonly statuses: Readonly<Record<C, number>>;
}

/** Makes a module's exception class from its code → status table. */
export function domainException<C extends string>(name: string, statuses: Record<C, number>): DomainExceptionClass<C> {
  const cls = class extends DomainException<C> {
    static readonly statuses = statuses;
    readonly status: number;

    constructor(code: C, message: string, details?: unknown[], headers?: Record<string, string>) {
      super(code, message, details, headers);
      this.status = statuses[code];
    }
  };
  Object.defineProperty(cls, 'name', { value: name });
  Object.defineProperty(cls.prototype, 'name', { value: name });
  return cls;
}
