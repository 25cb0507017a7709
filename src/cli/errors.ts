/** A problem with what the user asked for: printed as one line, exit status 2, no stack. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE_ERROR_STATUS = 2;
