/**
 * The injectable clock. Every rule that depends on "now" (deadlines, overdue, validity windows)
 * asks it, never `new Date()`. In test mode the database implementation adds an offset stored in
 * PostgreSQL, so the API and the worker see the same moved time.
 */
export abstract class Clock {
  abstract now(): Promise<Date>;
}

export class SystemClock extends Clock {
  async now(): Promise<Date> {
    return new Date();
  }
}
