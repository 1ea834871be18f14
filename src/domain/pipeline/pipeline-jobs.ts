// The names of the session jobs. The lifecycle enqueues the first (process) and the last (finalise, review); the
// pipeline enqueues the fan-out in between. Both import the names from here, never each other's classes.
export const JOBS = {
  process: 'session.process',
  check: 'check.run',
  task: 'task.run',
  finalise: 'session.finalise',
  review: 'review.apply',
} as const;
