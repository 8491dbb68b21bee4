import { describe, expect, it } from "vitest";
import { addDays, counted, dateTimeAt, dayLabel, hhmm, mondayOf, placesLeft, startOfDayIn, statusLabel, todayIn, weekLabel } from "./format";

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
