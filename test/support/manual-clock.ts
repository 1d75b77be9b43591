/** A clock that moves only when the test says so, for expiry and back-off without sleeping. */
export function manualClock(start = Date.parse('2030-01-01T00:00:00Z')) {
  let now = start;
  return {
    now: () => new Date(now),
    advance: (ms: number) => { now += ms; },
  };
}
