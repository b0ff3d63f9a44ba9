/**
 * The SIGN X scenarios on the time-skipping server are written for dates of 2026, the year the
 * preset's holidays and on-call rotation are dated. That server starts at the wall clock and only
 * moves forward, so once a scenario's dates have passed it runs in the first later year whose
 * calendar is 2026's: every date on the same weekday, no 29 February, so the same US clock changes
 * (second Sunday of March, first Sunday of November). The preset's dated text moves there with it.
 */
const BASE = 2026;

const leap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const weekdayOfNewYear = (y: number) => new Date(Date.UTC(y, 0, 1)).getUTCDay();

export interface ScenarioYear {
  year: number;
  /** `Date.UTC` in the scenario's year (months from 0, as `Date.UTC`). */
  at(month: number, day: number, hours?: number, minutes?: number, seconds?: number): number;
  /** Text (YAML, JSON) with every `2026-` date moved to the scenario's year. */
  text(source: string): string;
  /** A policy (or any JSON value) with its `2026-` dates moved the same way. */
  policy<T>(value: T): T;
}

/**
 * The year for a scenario whose earliest instant is `earliest` (a 2026 time): 2026 while that is
 * still `leadMs` ahead of `now`, else the first later year with 2026's calendar.
 */
export function scenarioYear(earliest: number, now = Date.now(), leadMs = 30 * 60_000): ScenarioYear {
  let year = BASE;
  const shifted = (y: number) => {
    const d = new Date(earliest);
    return Date.UTC(y, d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds());
  };
  while (shifted(year) <= now + leadMs || (year !== BASE && (leap(year) || weekdayOfNewYear(year) !== weekdayOfNewYear(BASE)))) year++;
  const text = (source: string) => source.replaceAll(`${BASE}-`, `${year}-`);
  return {
    year,
    at: (month, day, hours = 0, minutes = 0, seconds = 0) => Date.UTC(year, month, day, hours, minutes, seconds),
    text,
    policy: <T>(value: T) => JSON.parse(text(JSON.stringify(value))) as T,
  };
}
