/** The understudy_* metric names an expression file (Grafana JSON, Prometheus rules) refers to. */
export function metricNamesIn(text: string): Set<string> {
  return new Set([...text.matchAll(/\bunderstudy_[a-z0-9_]+/g)].map((m) => m[0]));
}

/** Strips the series suffixes a histogram family exposes, to get the family name. */
export function familyOf(name: string, families: ReadonlySet<string>): string | null {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count'])
    if (name.endsWith(suffix) && families.has(name.slice(0, -suffix.length)))
      return name.slice(0, -suffix.length);
  return null;
}
