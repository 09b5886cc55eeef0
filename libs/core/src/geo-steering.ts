/**
 * Issue 14 part 3: which steering rule a client's location selects. Pure: the DNS server compiles a
 * record's rules once per zone build and calls pick() per query.
 */
import type { ContinentCode, SteeringMatch } from './config-types.js';

export interface RulePicker {
  /** The rule index for this location, or -1 when no rule matches (the client gets the default). */
  pick(country: string | null, continent: ContinentCode | null): number;
}

/**
 * As the contract reads (config-types SteeringRule): the first rule, in config order, that lists the
 * client's country; only when none does, the first rule that lists its continent. A country is the more
 * specific fact, so it wins over a continent wherever the two rules sit (as Route 53 geolocation does).
 */
export function compileSteering(matches: readonly SteeringMatch[]): RulePicker {
  const byCountry = new Map<string, number>();
  const byContinent = new Map<string, number>();
  matches.forEach((m, i) => {
    for (const c of m.countries) if (!byCountry.has(c.toUpperCase())) byCountry.set(c.toUpperCase(), i);
    for (const c of m.continents) if (!byContinent.has(c)) byContinent.set(c, i);
  });
  return {
    pick(country, continent) {
      const r = country === null ? undefined : byCountry.get(country);
      if (r !== undefined) return r;
      return (continent === null ? undefined : byContinent.get(continent)) ?? -1;
    },
  };
}
