import { describe, expect, it } from "vitest";
import { choiceAtTime, columnsOf, nearestInTime } from "./choice-list";

const at = (...times: string[]) => times.map((time) => ({ time }));

describe("choiceAtTime", () => {
  const day = at("07:00", "07:45", "08:30", "09:15", "10:00", "12:15", "18:00", "18:45", "19:30");
  it("reads the digits typed as the start of a time", () => {
    expect(choiceAtTime(day, "18")?.time).toBe("18:00");
    expect(choiceAtTime(day, "184")?.time).toBe("18:45");
    expect(choiceAtTime(day, "1845")?.time).toBe("18:45");
    expect(choiceAtTime(day, "9")?.time).toBe("09:15"); // 09:15 is "915" as well as "0915"
    expect(choiceAtTime(day, "09")?.time).toBe("09:15");
    expect(choiceAtTime(day, "1")?.time).toBe("10:00");
  });
  it("falls back to the first slot at or after the time typed, then the last", () => {
    expect(choiceAtTime(day, "11")?.time).toBe("12:15");
    expect(choiceAtTime(day, "1830")?.time).toBe("18:45");
    expect(choiceAtTime(day, "23")?.time).toBe("19:30");
    expect(choiceAtTime([], "18")).toBeUndefined();
    expect(choiceAtTime(day, "")).toBeUndefined();
  });
});

describe("nearestInTime", () => {
  it("finds the slot nearest a time in another facility's column", () => {
    expect(nearestInTime(at("07:00", "07:30", "08:00"), "07:40")?.time).toBe("07:30");
    expect(nearestInTime(at("07:00", "08:00"), "23:00")?.time).toBe("08:00");
    expect(nearestInTime([], "07:00")).toBeUndefined();
  });
});

describe("columnsOf", () => {
  it("makes a column per facility in name order, keeping each column's order", () => {
    const cols = columnsOf([
      { group: "Sauna", time: "07:00" },
      { group: "Cold Plunge", time: "07:00" },
      { group: "Sauna", time: "07:45" },
    ] as never[]);
    expect(cols.map((c: { group: string }) => c.group)).toEqual(["Cold Plunge", "Sauna"]);
    expect(cols[1].choices.map((c: { time: string }) => c.time)).toEqual(["07:00", "07:45"]);
  });
});
