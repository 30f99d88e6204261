export interface FieldError {
  readonly field: string;
  readonly message: string;
}

export interface HttpProblemInit {
  readonly status: number;
  readonly title: string;
  readonly detail?: string;
  /** A URI identifying the problem type; 'about:blank' means "see the status code". */
  readonly type?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Extra members of the problem document, such as `errors`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/** An error that becomes an RFC 9457 problem response when it reaches the error handler. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(init: HttpProblemInit) {
    super(init.detail ?? init.title, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HttpProblem';
    this.status = init.status;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type ?? 'about:blank';
    this.headers = init.headers ?? {};
    this.extensions = init.extensions ?? {};
  }
}
