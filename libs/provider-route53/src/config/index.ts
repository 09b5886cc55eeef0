/** `@understudy/provider-route53/config`: the route53 target's config schema and reading, without the AWS SDK. */
export { route53TargetKind } from './route53-target.js';
