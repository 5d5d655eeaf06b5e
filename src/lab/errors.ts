/**
 * The lab's user-facing error: a bad option, an unknown activation, a missing data folder. The
 * command prints its message as one line and exits non-zero, without a stack trace.
 */
export class LabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabError';
  }
}

/** Thrown (and caught by the command) when a run is interrupted. */
export class LabInterrupted extends Error {
  constructor(message = 'interrupted') {
    super(message);
    this.name = 'LabInterrupted';
  }
}
