/** The demo's defaults, apart from the demo itself so that `understudy --help` shows them without loading it. */
export const DEMO_DEFAULTS = {
  dns: '127.0.0.1:5300',
  http: '127.0.0.1:9053',
  control: '127.0.0.1:5380',
  dashboard: '127.0.0.1:8080',
};

/** How `understudy demo fail` makes an origin fail. */
export const ORIGIN_MODES = ['down', 'http-503', 'timeout', 'reset'] as const;
export type FailMode = (typeof ORIGIN_MODES)[number];
