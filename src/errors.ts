/**
 * An error the user can fix by changing their input, configuration or environment.
 * Entry points print only its message (no stack trace) and fail the step.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UserError'
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError || (e instanceof Error && e.name === 'UserError')
}
