// Reading what went wrong from a caught value (which may be anything), without casts.

/** the message of an Error, or the value as text */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** the errno code of a Node error (ENOENT, EACCES, ...), if it has one */
export function errnoCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}

/** "nothing there": the only error a reader may treat as an empty result; anything else (a
 * permission error, a file where a folder should be) is a real failure to report */
export function isNotFound(e: unknown): boolean {
  return errnoCode(e) === 'ENOENT';
}
