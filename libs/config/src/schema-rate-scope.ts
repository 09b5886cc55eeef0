/**
 * Issue 17: who a vendor's rate limit is counted against. Route 53 counts 5 requests/s per AWS account,
 * Cloudflare 1,200 requests per 5 minutes per user (every token and the dashboard together): targets that
 * name the same account or user share one client-side budget. Its own file for the lead's merge.
 */
export const route53RateScope = {
  account: {
    type: ['string', 'null'],
    default: null,
    description:
      'The AWS account this target calls as (any label, e.g. the account id). Targets naming the same account share one requestsPerSecond budget, whatever their credentials; default: targets share it only when they use the same access key (or profile) and endpoint.',
  },
};

export const cloudflareRateScope = {
  user: {
    type: ['string', 'null'],
    default: null,
    description:
      'The Cloudflare user owning apiToken (any label, e.g. the login e-mail). Targets naming the same user share one rateLimit budget, whatever their tokens; default: targets share it only when they use the same token and endpoint.',
  },
};
