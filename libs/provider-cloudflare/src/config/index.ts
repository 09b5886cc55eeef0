/** `@understudy/provider-cloudflare/config`: the cloudflare target's config schema and reading, without the SDK. */
export { cloudflareTargetKind } from './cloudflare-target.js';
