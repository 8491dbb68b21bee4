// Dates, times and counts as staff read them. Date-only values are "YYYY-MM-DD" strings and all
// arithmetic on them is done in UTC, so the desk's own time zone never shifts a day.

/** "YYYY-MM-DD" of a Date in the desk's local calendar. */
export function isoDate(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** `date` plus `days` (may be negative). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** The Monday of the ISO week holding `date`. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
  return addDays(date, -((weekday + 6) % 7));
}

/** "Mon 3 Mar" for a date-only string. */
export function dayLabel(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    timeZone: "UTC",
  });
}

/** "3–9 Mar 2026" style label for the week starting `monday`. */
export function weekLabel(monday: string): string {
  const end = addDays(monday, 6);
  const fmt = (s: string, opts: Intl.DateTimeFormatOptions) => {
    const [y, m, d] = s.split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", { ...opts, timeZone: "UTC" });
  };
  return `${fmt(monday, { day: "numeric", month: "short" })} – ${fmt(end, { day: "numeric", month: "short", year: "numeric" })}`;
}

/** "Tue 4 Mar, 07:30" for an instant, in the branch's time zone when known. */
export function dateTime(iso: string, timeZone?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString("en-GB", {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone,
  });
}

/**
 * An instant at its own branch: "Sun 29 Nov, 07:00 (Sydney)" when that branch's zone is not the
 * desk's, so a head-office list shows each class at the time its members see on the door.
 */
export function dateTimeAt(iso: string, zone: string | undefined, deskZone: string | undefined): string {
  if (!zone || zone === deskZone) return dateTime(iso, deskZone);
  return `${dateTime(iso, zone)} (${zone.slice(zone.lastIndexOf("/") + 1).replace(/_/g, " ")})`;
}

/** "HH:MM" from "HH:MM:SS" (or as given). */
export function hhmm(time: string): string {
  return time.slice(0, 5);
}

/** "booked" → "Booked", "no_show" → "No-show". */
export function statusLabel(status: string): string {
  if (status === "no_show") return "No-show";
  return status.charAt(0).toUpperCase() + status.slice(1).replace(/_/g, " ");
}

/** "1 booking", "2 bookings": a count with its noun in the right number. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Places left, never negative (an override may put a slot over capacity). */
export function placesLeft(booked: number, capacity: number): number {
  return Math.max(0, capacity - booked);
}

/** Start of a day on this computer's clock, as an instant string. */
export function startOfLocalDay(date: string): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(y, m - 1, d).toISOString();
}

/** The calendar date and wall-clock time `t` shows in `timeZone`, read as if it were UTC. */
function wallClock(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" }).formatToParts(new Date(t));
  const p = Object.fromEntries(parts.map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
}

/** Today's date (YYYY-MM-DD) at the branch, whatever zone this computer is set to. */
export function todayIn(timeZone: string | undefined, now: Date = new Date()): string {
  if (!timeZone) return isoDate(now);
  return new Date(wallClock(now.getTime(), timeZone)).toISOString().slice(0, 10);
}

/**
 * The first instant of `date` at the branch (for the "from"/"to" filters), as an instant string.
 * A day whose midnight is skipped by daylight saving starts at the first local time it has.
 */
export function startOfDayIn(date: string, timeZone: string | undefined): string {
  if (!timeZone) return startOfLocalDay(date);
  const [y, m, d] = date.split("-").map(Number);
  const midnight = Date.UTC(y, m - 1, d);
  const offset = (t: number) => wallClock(t, timeZone) - Math.floor(t / 1000) * 1000;
  const first = midnight - offset(midnight);
  const second = midnight - offset(first); // the offset in force at that instant
  const onDate = (t: number) => new Date(wallClock(t, timeZone)).toISOString().slice(0, 10) === date;
  return new Date([second, first].find(onDate) ?? first).toISOString();
}

/** How a branch writes a date in numbers: day-month-year (most of the world), month-day-year (US), year-month-day. */
export type DateOrder = "dmy" | "mdy" | "ymd";

// Zones of the US (month first) and of countries that write the year first. Everything else:
// day first. A branch's own setting, when it has one, wins over this guess.
// The US zones include the older names the zone data still takes (America/Indianapolis, US/Eastern).
const MONTH_FIRST = /^(America\/(New_York|Chicago|Denver|Los_Angeles|Phoenix|Anchorage|Detroit|Boise|Juneau|Sitka|Nome|Adak|Metlakatla|Yakutat|Menominee|Indiana\/.+|Kentucky\/.+|North_Dakota\/.+|Indianapolis|Louisville|Fort_Wayne|Knox_IN|Atka|Shiprock)|Pacific\/Honolulu|US\/.+)$/;
const YEAR_FIRST = /^(Asia\/(Tokyo|Seoul|Shanghai|Taipei|Pyongyang|Ulaanbaatar)|Europe\/(Stockholm|Budapest|Vilnius))$/;

/** The date order a branch in `timeZone` writes (day first when unknown). */
export function dateOrderFor(timeZone: string | undefined): DateOrder {
  if (timeZone && MONTH_FIRST.test(timeZone)) return "mdy";
  if (timeZone && YEAR_FIRST.test(timeZone)) return "ymd";
  return "dmy";
}

/** The pattern staff type, for hints: "dd/mm/yyyy". */
export function datePattern(order: DateOrder): string {
  return { dmy: "dd/mm/yyyy", mdy: "mm/dd/yyyy", ymd: "yyyy-mm-dd" }[order];
}

/** "02/12/2026" (dmy), "12/02/2026" (mdy), "2026-12-02" (ymd) for a date-only string. */
export function numericDate(date: string, order: DateOrder): string {
  const [y, m, d] = date.split("-");
  return order === "ymd" ? `${y}-${m}-${d}` : order === "mdy" ? `${m}/${d}/${y}` : `${d}/${m}/${y}`;
}

/** "Wed 02/12/2026": the weekday and the date in the branch's order, as a day field shows it. */
export function dayFieldText(date: string, order: DateOrder): string {
  const [y, m, d] = date.split("-").map(Number);
  const weekday = new Date(Date.UTC(y, m - 1, d)).toLocaleDateString("en-GB", { weekday: "short", timeZone: "UTC" });
  return `${weekday} ${numericDate(date, order)}`;
}

/**
 * A date typed by staff, in the branch's order, as "YYYY-MM-DD"; null when it is not a date.
 * Takes a leading weekday ("Wed 02/12/2026"), any of / . - or space between the parts, a two-digit
 * or missing year (the one that puts the date nearest to `today`), and ISO "2026-12-02" always.
 */
export function parseDate(text: string, order: DateOrder, today: string): string | null {
  const t = text.trim().replace(/^[\p{L}]+\.?,?\s*/u, "");
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(t);
  let y: number | undefined, m: number, d: number;
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else {
    const parts = t.split(/[/.\-\s]+/).filter(Boolean);
    if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^\d+$/.test(p))) return null;
    const n = parts.map(Number);
    if (order === "ymd") {
      if (parts.length === 3) [y, m, d] = [n[0], n[1], n[2]];
      else [m, d] = [n[0], n[1]];
      if (parts.length === 3 && parts[0].length <= 2) y = nearestCentury(n[0], today);
    } else {
      [d, m] = order === "dmy" ? [n[0], n[1]] : [n[1], n[0]];
      if (parts.length === 3) y = parts[2].length <= 2 ? nearestCentury(n[2], today) : n[2];
    }
  }
  const valid = (yy: number) => {
    const dt = new Date(Date.UTC(yy, m - 1, d));
    return yy >= 1900 && yy <= 9999 && dt.getUTCFullYear() === yy && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  };
  const iso8601 = (yy: number) => `${String(yy).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  if (y !== undefined) return valid(y) ? iso8601(y) : null;
  // No year: the nearest such date to today (1 December, "3/1" is next January).
  const thisYear = Number(today.slice(0, 4));
  const near = [thisYear - 1, thisYear, thisYear + 1].filter(valid).map(iso8601);
  const days = (a: string) => Math.abs(Date.parse(a) - Date.parse(today));
  return near.sort((a, b) => days(a) - days(b))[0] ?? null;
}

/** A two-digit year as the year nearest today's ("26" → 2026, "99" → 1999 in 2026). */
function nearestCentury(yy: number, today: string): number {
  const year = Number(today.slice(0, 4));
  const base = Math.floor(year / 100) * 100 + yy;
  return [base - 100, base, base + 100].sort((a, b) => Math.abs(a - year) - Math.abs(b - year))[0];
}

/** "Today", "Tomorrow", "Yesterday", "in 3 days", "5 days ago". */
export function relativeDay(date: string, today: string): string {
  const n = Math.round((Date.parse(date) - Date.parse(today)) / 86_400_000);
  if (n === 0) return "Today";
  if (n === 1) return "Tomorrow";
  if (n === -1) return "Yesterday";
  return n > 0 ? `in ${n} days` : `${-n} days ago`;
}

/** "07:30": an instant's wall-clock time at the branch. */
export function clockTime(iso: string, timeZone?: string): string {
  return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone });
}
