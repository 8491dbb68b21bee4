import { describe, expect, it } from "vitest";
import { addDays, counted, dayLabel, hhmm, mondayOf, placesLeft, statusLabel, weekLabel } from "./format";

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
