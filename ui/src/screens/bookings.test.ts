import { describe, expect, it } from "vitest";
import { actionsFor, back, buildFilter, currentCursor, firstPage, forward, pageNumber } from "./bookings";

const values = { from: "", to: "", kind: "", status: "", item: "", memberId: "" };

describe("buildFilter", () => {
  it("sends nulls and no statuses when nothing is chosen", () => {
    expect(buildFilter(values).filter).toEqual({ branch_id: null, from: null, to: null, kind: null, statuses: [], facility_id: null, class_id: null, member_id: null, booked_by_staff_id: null, overrides_only: false });
  });

  it("makes the end day inclusive", () => {
    const { filter } = buildFilter({ ...values, from: "2026-11-23", to: "2026-11-23" });
    expect(new Date(filter!.to!).getTime() - new Date(filter!.from!).getTime()).toBe(24 * 3600 * 1000);
  });

  it("refuses a reversed range in words", () => {
    expect(buildFilter({ ...values, from: "2026-11-24", to: "2026-11-23" })).toEqual({ filter: null, error: "The end date is before the start date." });
  });

  it("maps type, status, facility or class, and member", () => {
    const f = buildFilter({ ...values, kind: "recovery", status: "no_show", item: "facility:f1", memberId: "m1" }).filter!;
    expect([f.kind, f.statuses, f.facility_id, f.class_id, f.member_id]).toEqual(["recovery", ["no_show"], "f1", null, "m1"]);
    expect(buildFilter({ ...values, item: "class:c1" }).filter!.class_id).toBe("c1");
    expect(buildFilter({ ...values, kind: "bogus" }).filter!.kind).toBeNull();
  });
});

describe("keyset pager", () => {
  it("goes forward with the page's next cursor and back through the cursors seen", () => {
    let p = firstPage();
    expect(currentCursor(p)).toBeNull();
    expect(forward(p)).toBe(p); // no next page: stays
    const c1 = { starts_at: "2026-11-23T07:00:00Z", id: "a" };
    const c2 = { starts_at: "2026-11-23T08:00:00Z", id: "b" };
    p = forward({ ...p, next: c1 });
    expect([pageNumber(p), currentCursor(p)]).toEqual([2, c1]);
    p = forward({ ...p, next: c2 });
    expect(currentCursor(p)).toEqual(c2);
    p = back(p);
    expect([pageNumber(p), currentCursor(p)]).toEqual([2, c1]);
    p = back(back(p));
    expect([pageNumber(p), currentCursor(p)]).toEqual([1, null]);
  });
});

describe("actionsFor", () => {
  it("offers check-in and no-show on booked rows, cancel on live ones, nothing on finished ones", () => {
    expect(actionsFor({ status: "booked" })).toEqual(["attended", "no_show", "cancel"]);
    expect(actionsFor({ status: "waitlisted" })).toEqual(["cancel"]);
    expect(actionsFor({ status: "cancelled" })).toEqual([]);
    expect(actionsFor({ status: "attended" })).toEqual([]);
  });
});
