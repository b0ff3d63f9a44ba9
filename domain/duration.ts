/**
 * Durations as people write them in policies: `90s`, `15m`, `4h`, `1d`, `1w`, or combined `1h30m`.
 * A day is 24 hours and a week 7 days of the clock's own time: on a business-time clock `1d`
 * means 24 working hours, so policies say business targets in hours (`24h` of 9-hour days).
 */
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PATTERN = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

export function parseDuration(text: string): number | undefined {
  const match = PATTERN.exec(text.trim());
  if (!match || text.trim() === '') return undefined;
  const [, w, d, h, m, s] = match;
  return (
    Number(w ?? 0) * UNIT_MS.w + Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s
  );
}

/** The shortest exact spelling, e.g. 5400000 -> `1h30m`; 0 -> `0s`. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  let rest = Math.round(ms / 1000) * 1000;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const n = Math.floor(rest / UNIT_MS[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * UNIT_MS[unit];
    }
  }
  return out || '0s';
}
