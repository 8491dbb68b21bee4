import { describe, expect, it } from "vitest";
import { addDays, counted, dateOrderFor, dateTimeAt, dayFieldText, dayLabel, hhmm, mondayOf, parseDate, placesLeft, relativeDay, startOfDayIn, statusLabel, todayIn, weekLabel } from "./format";

describe("dates", () => {
  it("adds days across months, years and DST changes without shifting", () => {
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("finds the Monday of the ISO week", () => {
    expect(mondayOf("2026-11-27")).toBe("2026-11-23"); // a Friday
    expect(mondayOf("2026-11-23")).toBe("2026-11-23");
    expect(mondayOf("2026-11-29")).toBe("2026-11-23"); // Sunday belongs to the week before
  });

  it("labels days and weeks for staff", () => {
    expect(dayLabel("2026-11-23")).toBe("Mon 23 Nov");
    expect(weekLabel("2026-11-23")).toBe("23 Nov – 29 Nov 2026");
    expect(hhmm("07:30:00")).toBe("07:30");
  });
});

describe("the branch's day, whatever zone this computer is in", () => {
  it("says today's date at the branch", () => {
    const instant = new Date("2026-11-28T20:30:00Z");
    expect(todayIn("Europe/London", instant)).toBe("2026-11-28");
    expect(todayIn("Australia/Sydney", instant)).toBe("2026-11-29"); // 07:30 next morning there
    expect(todayIn("America/Los_Angeles", new Date("2026-11-29T06:00:00Z"))).toBe("2026-11-28");
  });

  it("starts a day at the branch's midnight, in and out of daylight saving", () => {
    expect(startOfDayIn("2026-11-28", "Europe/London")).toBe("2026-11-28T00:00:00.000Z");
    expect(startOfDayIn("2026-07-01", "Europe/London")).toBe("2026-06-30T23:00:00.000Z");
    expect(startOfDayIn("2026-11-29", "Australia/Sydney")).toBe("2026-11-28T13:00:00.000Z");
    expect(startOfDayIn("2026-03-08", "America/New_York")).toBe("2026-03-08T05:00:00.000Z"); // clocks go forward at 02:00
    expect(startOfDayIn("2026-03-09", "America/New_York")).toBe("2026-03-09T04:00:00.000Z");
  });

  it("shows a booking at its own branch's time, naming the zone when it is not the desk's", () => {
    const sydneyClass = "2026-11-28T20:00:00Z";
    expect(dateTimeAt(sydneyClass, "Australia/Sydney", "Europe/London")).toBe("Sun 29 Nov, 07:00 (Sydney)");
    expect(dateTimeAt(sydneyClass, "Europe/London", "Europe/London")).toBe("Sat 28 Nov, 20:00");
    expect(dateTimeAt(sydneyClass, undefined, "America/New_York")).toBe("Sat 28 Nov, 15:00");
  });

  it("starts a day whose midnight daylight saving skips at its first local time", () => {
    // Havana goes from 00:00 straight to 01:00 on 8 March 2026: the day starts at 01:00 (05:00 UTC).
    expect(startOfDayIn("2026-03-08", "America/Havana")).toBe("2026-03-08T05:00:00.000Z");
  });
});

describe("words", () => {
  it("names statuses", () => {
    expect(statusLabel("no_show")).toBe("No-show");
    expect(statusLabel("booked")).toBe("Booked");
  });
  it("never shows negative places", () => {
    expect(placesLeft(3, 2)).toBe(0);
    expect(placesLeft(1, 4)).toBe(3);
  });
  it("counts in the singular only for one", () => {
    expect(counted(1, "booking")).toBe("1 booking");
    expect(counted(0, "booking")).toBe("0 bookings");
    expect(counted(2, "branch", "branches")).toBe("2 branches");
  });
});

describe("a branch's dates", () => {
  it("guesses the date order from the zone: month first in the US, year first where that is the custom, else day first", () => {
    expect(dateOrderFor("Europe/London")).toBe("dmy");
    expect(dateOrderFor("America/New_York")).toBe("mdy");
    expect(dateOrderFor("America/Indiana/Indianapolis")).toBe("mdy");
    expect(dateOrderFor("America/Mexico_City")).toBe("dmy");
    expect(dateOrderFor("America/Sao_Paulo")).toBe("dmy");
    expect(dateOrderFor("Asia/Tokyo")).toBe("ymd");
    expect(dateOrderFor("America/Indianapolis")).toBe("mdy"); // older names the zone data still takes
    expect(dateOrderFor("US/Eastern")).toBe("mdy");
    expect(dateOrderFor(undefined)).toBe("dmy");
  });

  it("shows the weekday and the date in the branch's order", () => {
    expect(dayFieldText("2026-12-02", "dmy")).toBe("Wed 02/12/2026");
    expect(dayFieldText("2026-12-02", "mdy")).toBe("Wed 12/02/2026");
    expect(dayFieldText("2026-12-02", "ymd")).toBe("Wed 2026-12-02");
  });

  it("reads a typed date in the branch's order, the way people type them", () => {
    const today = "2026-12-01";
    for (const typed of ["02/12/2026", "2/12/2026", "2.12.2026", "2-12-2026", "2 12 2026", "02/12/26", "2/12", "Wed 02/12/2026", "wed, 2/12/2026", "2026-12-02"]) {
      expect(parseDate(typed, "dmy", today), typed).toBe("2026-12-02");
    }
    expect(parseDate("12/02/2026", "mdy", today)).toBe("2026-12-02");
    expect(parseDate("2026-12-02", "mdy", today)).toBe("2026-12-02"); // ISO in any order
    expect(parseDate("2026/12/02", "ymd", today)).toBe("2026-12-02");
    expect(parseDate("3/1", "dmy", today)).toBe("2027-01-03"); // no year: the nearest such date
    expect(parseDate("30/11", "dmy", today)).toBe("2026-11-30");
    expect(parseDate("1/1/99", "dmy", today)).toBe("1999-01-01"); // a two-digit year: the nearest such year
    expect(parseDate("1/1/30", "dmy", today)).toBe("2030-01-01");
    expect(parseDate("99-01-02", "ymd", today)).toBe("1999-01-02");
  });

  it("refuses what is not a date", () => {
    for (const typed of ["", "31/02/2026", "13/13/2026", "tomorrow", "2/12/2026/1", "00/12/2026", "02/12/0099x"]) {
      expect(parseDate(typed, "dmy", "2026-12-01"), typed).toBeNull();
    }
    expect(parseDate("29/02/2027", "dmy", "2026-12-01")).toBeNull();
    expect(parseDate("29/02", "dmy", "2027-12-01")).toBe("2028-02-29");
  });

  it("says a day relative to today", () => {
    expect(relativeDay("2026-12-01", "2026-12-01")).toBe("Today");
    expect(relativeDay("2026-12-02", "2026-12-01")).toBe("Tomorrow");
    expect(relativeDay("2026-11-30", "2026-12-01")).toBe("Yesterday");
    expect(relativeDay("2027-01-01", "2026-12-01")).toBe("in 31 days");
    expect(relativeDay("2026-11-28", "2026-12-01")).toBe("3 days ago");
  });
});
