/**
 * Issue 14 part 3: the continent of every assigned ISO 3166-1 alpha-2 country code, as the IP-location
 * databases (GeoNames, MaxMind) group them. The country database the DNS server ships has countries
 * only; steering rules may name continents, so the server maps one to the other with this table.
 * Pure data: facts, one line per continent.
 */
import type { ContinentCode } from './config-types.js';

const BY_CONTINENT: Record<ContinentCode, string> = {
  AF:
    'DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG MW ML ' +
    'MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW',
  AN: 'AQ BV GS HM TF',
  AS:
    'AF AM AZ BH BD BT IO BN KH CN CX CC CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM ' +
    'NP KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE',
  EU:
    'AX AL AD AT BY BE BA BG HR CZ DK EE FO FI FR DE GI GR GG VA HU IS IE IM IT JE LV LI LT LU MT MD ' +
    'MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH UA GB',
  NA:
    'AI AG AW BS BB BZ BM BQ VG CA KY CR CU CW DM DO SV GL GD GP GT HT HN JM MQ MX MS NI PA PR BL KN ' +
    'LC MF PM VC SX TT TC US VI',
  OC: 'AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV UM VU WF',
  SA: 'AR BO BR CL CO EC FK GF GY PY PE SR UY VE',
};

/** Country code (upper case) → continent code. */
export const COUNTRY_CONTINENT: ReadonlyMap<string, ContinentCode> = new Map(
  (Object.entries(BY_CONTINENT) as [ContinentCode, string][]).flatMap(([continent, list]) =>
    list.split(' ').map((country) => [country, continent] as const),
  ),
);

/** The continent of an ISO 3166-1 alpha-2 code (any letter case), or null for an unassigned code. */
export function continentOf(country: string): ContinentCode | null {
  return COUNTRY_CONTINENT.get(country.toUpperCase()) ?? null;
}
