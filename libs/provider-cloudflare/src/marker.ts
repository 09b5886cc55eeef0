/**
 * Ownership marker: Cloudflare records carry a free-text `comment`, so ours say
 * `understudy:owner=<ownerId>`. Only records whose comment names our owner id are ever changed
 * (unless the target is configured with takeover).
 */
export const MARKER_PREFIX = 'understudy:owner=';

/** Cloudflare's Free plan caps comments at 100 characters. */
const MAX_COMMENT = 100;
const OWNER_ID = /^[A-Za-z0-9._:-]+$/;

export function ownerMarker(ownerId: string): string {
  return `${MARKER_PREFIX}${ownerId}`;
}

/** The owner id a comment names, or null when it carries no marker. */
export function markerOwner(comment: string | null | undefined): string | null {
  if (!comment) return null;
  const m = /(?:^|\s)understudy:owner=([A-Za-z0-9._:-]+)(?=\s|$)/.exec(comment);
  return m ? m[1]! : null;
}

export function isOwnedBy(comment: string | null | undefined, ownerId: string): boolean {
  return markerOwner(comment) === ownerId;
}

/** Why an owner id cannot be written into a marker, or null when it can. */
export function ownerIdProblem(ownerId: string): string | null {
  if (!OWNER_ID.test(ownerId)) return `owner id "${ownerId}" must be letters, digits and . _ : - only`;
  if (ownerMarker(ownerId).length > MAX_COMMENT)
    return `owner id "${ownerId}" is too long for a Cloudflare comment (${MAX_COMMENT} characters with the marker)`;
  return null;
}
