/** A value or the reason it could not be had. Work on one target, host or batch returns this instead of throwing. */
export type Result<T, E = Error> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

/** Wraps a value as a successful Result. */
export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });

/** Wraps an error as a failed Result. */
export const err = <E>(error: E): Result<never, E> => ({ ok: false, error });
