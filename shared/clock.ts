/**
 * Time, as a dependency. Every handler reads "now" through a Clock so that tests and the local
 * runtime (`POST /_local/clock`) can move time forward; production uses the system clock.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** The process-wide clock: system time plus an offset that only the local runtime moves. */
class AdjustableClock implements Clock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves time forward (local runtime and tests only). */
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export const clock = new AdjustableClock();
