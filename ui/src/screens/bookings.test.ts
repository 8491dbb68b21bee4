import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api";
import type { BookingRow } from "../bindings";
import RULES from "../fixtures/booking-rules.json";
import { actionsFor, back, buildFilter, confirmQuestion, currentCursor, firstPage, forward, pageNumber, renderBookings } from "./bookings";

const values = { from: "", to: "", kind: "", status: "", item: "", memberId: "" };

describe("buildFilter", () => {
  it("sends nulls and no statuses when nothing is chosen", () => {
    expect(buildFilter(values).filter).toEqual({ branch_id: null, from: null, to: null, kind: null, statuses: [], facility_id: null, class_id: null, member_id: null, booked_by_staff_id: null, overrides_only: false });
  });

  it("makes the end day inclusive", () => {
    const { filter } = buildFilter({ ...values, from: "2026-11-23", to: "2026-11-23" });
    expect(new Date(filter!.to!).getTime() - new Date(filter!.from!).getTime()).toBe(24 * 3600 * 1000);
  });

  it("takes the days at the branch, not on this computer's clock", () => {
    const { filter } = buildFilter({ ...values, from: "2026-11-29", to: "2026-11-29" }, "Australia/Sydney");
    expect([filter!.from, filter!.to]).toEqual(["2026-11-28T13:00:00.000Z", "2026-11-29T13:00:00.000Z"]);
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

  it("refuses a type and a facility or class that cannot go together, instead of dropping one", () => {
    expect(buildFilter({ ...values, kind: "class", item: "facility:f1" })).toEqual({ filter: null, error: "Classes have no facility: choose Recovery, or clear “Facility or class”." });
    expect(buildFilter({ ...values, kind: "recovery", item: "class:c1" })).toEqual({ filter: null, error: "Recovery bookings have no class: choose Classes, or clear “Facility or class”." });
    expect(buildFilter({ ...values, kind: "class", item: "class:c1" }).filter!.class_id).toBe("c1");
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
  it("offers check-in and no-show on booked rows, cancel on live ones, late check-in on no-shows, nothing on finished ones", () => {
    const started = "2026-11-28T18:00:00Z";
    const at = (iso: string) => Date.parse(iso);
    expect(actionsFor({ status: "booked", starts_at: started }, RULES, at("2026-11-28T18:00:00Z"))).toEqual(["attended", "no_show", "cancel"]);
    expect(actionsFor({ status: "booked", starts_at: started }, RULES, at("2026-11-28T17:59:00Z"))).toEqual(["attended", "cancel"]); // no no-show before it starts
    expect(actionsFor({ status: "waitlisted", starts_at: started }, RULES)).toEqual(["cancel"]);
    expect(actionsFor({ status: "no_show", starts_at: started }, RULES)).toEqual(["attended"]);
    expect(actionsFor({ status: "cancelled", starts_at: started }, RULES)).toEqual([]);
    expect(actionsFor({ status: "attended", starts_at: started }, RULES)).toEqual([]);
  });

  it("follows the database's changes, not a copy of its own", () => {
    const started = "2026-11-28T18:00:00Z";
    const noLateCheckIn = { changes: RULES.changes.filter((c) => c.from_status !== "no_show") };
    expect(actionsFor({ status: "no_show", starts_at: started }, noLateCheckIn)).toEqual([]);
    const noShowAnyTime = { changes: RULES.changes.map((c) => ({ ...c, once_started: false })) };
    expect(actionsFor({ status: "booked", starts_at: "2999-01-01T00:00:00Z" }, noShowAnyTime)).toEqual(["attended", "no_show", "cancel"]);
  });

  it("asks to confirm a check-in more than an hour ahead with the session's time", () => {
    const row = { starts_at: "2026-12-01T18:00:00Z" };
    expect(confirmQuestion("attended", row, "Europe/London", Date.parse("2026-11-28T10:00:00Z"))).toBe("Check this member in now? The session is on Tue 1 Dec, 18:00.");
    expect(confirmQuestion("attended", row, "Europe/London", Date.parse("2026-12-01T17:30:00Z"))).toBe("Check this member in?");
    expect(confirmQuestion("cancel", row, "Europe/London", Date.parse("2026-11-28T10:00:00Z"))).toBe("Cancel this booking?");
  });
});

describe("row actions", () => {
  const row: BookingRow = {
    kind: "class", id: "bk1", branch_id: "b1", starts_at: "2026-11-28T18:00:00Z", status: "booked", member_id: "m1", member_number: "M1",
    member_name: "Henry Schmidt", item_name: "Spin", item_id: "c1", booked_by_staff_id: null, booked_by_name: null,
    capacity_override: false, allowance_override: false, override_reason: null, created_at: "2026-11-27T10:00:00Z",
  };
  const flush = () => new Promise((r) => setTimeout(r, 0));
  /** What the screen calls: one row listed and nothing else done, unless `over` says otherwise. */
  const apiWith = <T extends object>(over: T) => ({
    listBookings: vi.fn(async () => ({ rows: [row], next: null })),
    cancelBooking: vi.fn(),
    setAttendance: vi.fn(),
    exportBookingsCsv: vi.fn(),
    searchMembers: vi.fn(async () => []),
    weekSchedule: vi.fn(async () => ({ facilities: [], slots: [], inserted: 0 })),
    upcomingClasses: vi.fn(async () => []),
    ...over,
  });

  it("says what a confirmed cancel did after the list reloads (the waitlist moved up)", async () => {
    let rows = [row];
    const api = apiWith({
      listBookings: vi.fn(async () => ({ rows, next: null })),
      cancelBooking: vi.fn(async () => {
        rows = [{ ...row, status: "cancelled" }];
        return "bk2";
      }),
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    (main.querySelector("tr[data-booking-id=bk1] button[data-action=cancel]") as HTMLButtonElement).click();
    (main.querySelector("[data-testid=confirm-yes]") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(api.cancelBooking).toHaveBeenCalledWith("class", "bk1");
    expect(main.querySelector("[data-testid=bookings-status]")?.textContent).toBe("Cancelled; the first on the waitlist now has the place.");
    expect(main.querySelector("tr[data-booking-id=bk1] .pill")?.textContent).toBe("Cancelled");
  });

  it("asks before a check-in with a button that is not the cancel's red, and Esc keeps the booking as it was", async () => {
    const api = apiWith({ listBookings: vi.fn(async () => ({ rows: [row], next: null })), setAttendance: vi.fn(), cancelBooking: vi.fn() });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    for (const action of ["attended", "cancel"]) {
      (main.querySelector(`tr[data-booking-id=bk1] button[data-action=${action}]`) as HTMLButtonElement).click();
      const yes = main.querySelector("[data-testid=confirm-yes]") as HTMLButtonElement;
      expect(yes.classList.contains("danger")).toBe(action === "cancel");
      expect(document.activeElement).toBe(yes);
      expect(main.querySelector("tr[data-booking-id=bk1] .confirm-buttons [data-testid=confirm-no]")).not.toBeNull();
      yes.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
      expect(main.querySelector("[data-testid=confirm-yes]")).toBeNull();
      expect((document.activeElement as HTMLElement).dataset.action).toBe("attended"); // back on the row's first action
    }
    expect(api.setAttendance).not.toHaveBeenCalled();
    expect(api.cancelBooking).not.toHaveBeenCalled();
  });

  it("opened by keys, gives the first row's first action the focus; arrows go between rows and buttons; Enter, Enter checks in", async () => {
    const rows = [row, { ...row, id: "bk2", status: "cancelled" }, { ...row, id: "bk3" }];
    const api = apiWith({ listBookings: vi.fn(async () => ({ rows, next: null })), setAttendance: vi.fn(async () => undefined) });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", focusRows: true, onNewBooking: vi.fn() });
    await flush();
    const focused = () => document.activeElement as HTMLButtonElement;
    const key = (k: string) => focused().dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true, cancelable: true }));
    expect([focused().closest("tr")!.dataset.bookingId, focused().dataset.action]).toEqual(["bk1", "attended"]);
    key("ArrowRight");
    expect(focused().dataset.action).toBe("no_show");
    key("ArrowDown"); // the cancelled row has no actions: skipped
    expect([focused().closest("tr")!.dataset.bookingId, focused().dataset.action]).toEqual(["bk3", "attended"]);
    key("ArrowUp");
    expect(focused().closest("tr")!.dataset.bookingId).toBe("bk1");
    focused().click(); // Enter on a button
    expect(focused().dataset.testid).toBe("confirm-yes");
    focused().click();
    await flush();
    expect(api.setAttendance).toHaveBeenCalledWith("class", "bk1", "attended");
  });

  it("keeps a done check-in and a failed reload both visible, and frees the row", async () => {
    const listBookings = vi
      .fn()
      .mockResolvedValueOnce({ rows: [row], next: null })
      .mockRejectedValueOnce(new ApiError("unavailable", "The club database cannot be reached."));
    const api = apiWith({
      listBookings,
      setAttendance: vi.fn(async () => undefined),
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    (main.querySelector("tr[data-booking-id=bk1] button[data-action=attended]") as HTMLButtonElement).click();
    (main.querySelector("[data-testid=confirm-yes]") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(api.setAttendance).toHaveBeenCalledWith("class", "bk1", "attended");
    const status = main.querySelector("[data-testid=bookings-status]")!;
    expect(status.textContent).toBe("The club database cannot be reached.");
    expect(status.classList.contains("is-error")).toBe(true);
    const actions = main.querySelector("tr[data-booking-id=bk1] .row-actions")!;
    expect(actions.textContent).toBe("Checked in. The list could not be refreshed.");
    expect(actions.querySelector("button")).toBeNull(); // no "Working…", no actions on a stale row
  });

  it("says when the facility and class choices cannot load, and still lists the bookings", async () => {
    const api = apiWith({
      weekSchedule: vi.fn(async () => ({ facilities: [{ id: "f1", branch_id: "b1", name: "Sauna", kind: "sauna", is_active: true, under_maintenance: false, available_days: [] }], slots: [], inserted: 0 })),
      upcomingClasses: vi.fn(async () => {
        throw new ApiError("unavailable", "The club database cannot be reached.");
      }),
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    const note = main.querySelector("[data-testid=item-filter-status]")!;
    expect(note.classList.contains("hidden")).toBe(false);
    expect(note.textContent).toBe("Could not load the facility and class choices: The club database cannot be reached. The bookings list works without them.");
    expect([...main.querySelectorAll("#f-item option")].map((o) => o.textContent)).toEqual(["Any facility or class", "Sauna"]);
    expect(main.querySelectorAll("[data-testid=booking-row]").length).toBe(1);
  });

  it("shows and reads From and To in the branch's date order, whatever the PC's, and a blank day is no bound", async () => {
    const api = apiWith({});
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "America/New_York", today: "2026-12-01", onNewBooking: vi.fn() });
    await flush();
    const from = main.querySelector("#f-from") as HTMLInputElement;
    expect(from.value).toBe("Tue 12/01/2026"); // month first at a New York branch
    expect((main.querySelector("#f-to") as HTMLInputElement).value).toBe("Mon 12/14/2026");
    from.value = "12/05/2026";
    from.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flush();
    expect(api.listBookings).toHaveBeenLastCalledWith(expect.objectContaining({ from: "2026-12-05T05:00:00.000Z" }), expect.anything());
    from.value = "";
    from.dispatchEvent(new Event("change"));
    await flush();
    expect(api.listBookings).toHaveBeenLastCalledWith(expect.objectContaining({ from: null }), expect.anything());
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "America/New_York", dateOrder: "dmy", today: "2026-12-01", onNewBooking: vi.fn() });
    expect((main.querySelector("#f-from") as HTMLInputElement).value).toBe("Tue 01/12/2026"); // the branch's own setting wins
  });

  it("empties the table when the filters are refused, so the last rows do not pass for the answer", async () => {
    const api = apiWith({});
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", today: "2026-11-23", onNewBooking: vi.fn() });
    await flush();
    expect(main.querySelectorAll("[data-testid=booking-row]").length).toBe(1);
    (main.querySelector("#f-to") as HTMLInputElement).value = "2026-11-01";
    main.querySelector("form")!.requestSubmit();
    await flush();
    expect(main.querySelectorAll("[data-testid=booking-row]").length).toBe(0);
    expect(main.textContent).toContain("The end date is before the start date.");
    expect(main.querySelector("[data-testid=page-label]")?.textContent).toBe("");
    expect(api.listBookings).toHaveBeenCalledOnce();
  });

  it("stays on the page it shows when the next page cannot load, and tries the same page again", async () => {
    const cursor = { starts_at: row.starts_at, id: row.id };
    const listBookings = vi
      .fn()
      .mockResolvedValueOnce({ rows: [row], next: cursor })
      .mockRejectedValueOnce(new ApiError("unavailable", "The club database cannot be reached."))
      .mockResolvedValueOnce({ rows: [{ ...row, id: "bk9" }], next: null });
    const api = apiWith({
      listBookings,
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    const next = main.querySelector("[data-testid=page-next]") as HTMLButtonElement;
    const prev = main.querySelector("[data-testid=page-prev]") as HTMLButtonElement;
    const label = () => main.querySelector("[data-testid=page-label]")?.textContent;
    expect(label()).toBe("Page 1 · 1 shown");
    next.click();
    await flush();
    expect(main.textContent).toContain("The club database cannot be reached.");
    expect([label(), prev.disabled, next.disabled]).toEqual(["Page 1 · 1 shown", true, false]);
    next.click();
    await flush();
    expect(listBookings.mock.calls.map((c) => c[1].after)).toEqual([null, cursor, cursor]);
    expect([label(), prev.disabled, next.disabled]).toEqual(["Page 2 · 1 shown", false, true]);
  });

  it("keeps the page shown when a row action reloads while the next page is on its way", async () => {
    const cursor = { starts_at: row.starts_at, id: row.id };
    const listBookings = vi
      .fn()
      .mockResolvedValueOnce({ rows: [row], next: cursor })
      .mockReturnValueOnce(new Promise(() => {})) // page 2: no answer yet
      .mockResolvedValueOnce({ rows: [{ ...row, status: "cancelled" }], next: cursor });
    const api = apiWith({
      listBookings,
      cancelBooking: vi.fn(async () => null),
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    (main.querySelector("[data-testid=page-next]") as HTMLButtonElement).click();
    (main.querySelector("tr[data-booking-id=bk1] button[data-action=cancel]") as HTMLButtonElement).click();
    (main.querySelector("[data-testid=confirm-yes]") as HTMLButtonElement).click();
    await flush();
    await flush();
    expect(listBookings.mock.calls.map((c) => c[1].after)).toEqual([null, cursor, null]); // the row's page again
    expect(main.querySelector("[data-testid=page-label]")?.textContent).toBe("Page 1 · 1 shown");
    expect((main.querySelector("[data-testid=page-prev]") as HTMLButtonElement).disabled).toBe(true);
    expect(main.querySelector("tr[data-booking-id=bk1] .pill")?.textContent).toBe("Cancelled");
  });

  it("asks for the branch's days and shows each row at its own branch's time", async () => {
    const sydney = { ...row, id: "bk2", branch_id: "b2", starts_at: "2026-11-28T20:00:00Z" };
    const api = apiWith({
      listBookings: vi.fn(async () => ({ rows: [row, sydney], next: null })),
    });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    const branchZones = { b1: "Europe/London", b2: "Australia/Sydney" };
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", branchZones, today: "2026-07-01", onNewBooking: vi.fn() });
    await flush();
    const [filter] = api.listBookings.mock.calls[0] as unknown as [{ from: string }];
    expect(filter.from).toBe("2026-06-30T23:00:00.000Z"); // London's midnight in summer time
    const times = [...main.querySelectorAll("[data-testid=booking-row] td:first-child")].map((td) => td.textContent);
    expect(times).toEqual(["18:00", "07:00 (Sydney)"]);
    // The day as a heading above its rows (each at its own branch's date), the whole on hover.
    expect([...main.querySelectorAll(".day-heading")].map((r) => r.textContent)).toEqual(["Sat 28 Nov", "Sun 29 Nov"]);
    expect(main.querySelector("[data-testid=booking-row] td:first-child")!.getAttribute("title")).toBe("Sat 28 Nov, 18:00");
  });

  it("keeps each row to one line: long text is cut, whole on hover and focus; today's heading says so", async () => {
    const long = "Physio referral approved by the duty manager after the member's knee surgery in October";
    const api = apiWith({ listBookings: vi.fn(async () => ({ rows: [{ ...row, starts_at: "2026-11-28T18:00:00Z", capacity_override: true, override_reason: long }], next: null })) });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", today: "2026-11-28", onNewBooking: vi.fn() });
    await flush();
    const cell = [...main.querySelectorAll("[data-testid=booking-row] td.clip")].find((td) => td.textContent!.includes("Physio"))!;
    expect(cell.getAttribute("title")).toBe(`Override (capacity): ${long}`);
    expect(cell.getAttribute("tabindex")).toBe("0"); // reachable by keyboard, to be read whole
    expect(main.querySelector(".day-heading")!.textContent).toBe("Sat 28 Nov · today");
    const short = [...main.querySelectorAll("[data-testid=booking-row] td.clip")].find((td) => td.textContent === "Spin")!;
    expect(short.hasAttribute("tabindex")).toBe(false); // short text is no extra Tab stop
  });

  it("shows the total for the filters beside the first page, and keeps the filters for when the tab comes back", async () => {
    let release: (n: number) => void = () => {};
    const countBookings = vi.fn(() => new Promise<number>((r) => (release = r)));
    const api = apiWith({ countBookings });
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    const onFilters = vi.fn();
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", today: "2026-11-23", onFilters, onNewBooking: vi.fn() });
    await flush();
    const label = () => main.querySelector("[data-testid=page-label]")!.textContent;
    expect(label()).toBe("Page 1 · 1 shown"); // the rows did not wait for the count
    release(137);
    await flush();
    expect(label()).toBe("Page 1 of 3 · 1 shown of 137 bookings");
    const status = main.querySelector("#f-status") as HTMLSelectElement;
    status.value = "attended";
    status.dispatchEvent(new Event("change"));
    await flush();
    expect(countBookings).toHaveBeenCalledTimes(2);
    // A refused filter empties the total too: a count on its way is the old filter's.
    (main.querySelector("#f-to") as HTMLInputElement).value = "2026-11-01";
    main.querySelector("form")!.requestSubmit();
    release(99);
    await flush();
    expect(label()).toBe("");
    const left = onFilters.mock.calls[onFilters.mock.calls.length - 1][0];
    expect(left).toMatchObject({ from: "2026-11-23", to: "2026-12-06", status: "attended", member: null });
    // Another tab, then back: drawn from what was left.
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", today: "2026-11-23", filters: { ...left, from: "2026-11-20", member: { id: "m1", name: "Henry Schmidt" } }, onNewBooking: vi.fn() });
    await flush();
    expect((main.querySelector("#f-status") as HTMLSelectElement).value).toBe("attended");
    expect((main.querySelector("#f-from") as HTMLInputElement).value).toBe("Fri 20/11/2026");
    expect(main.querySelector("[data-testid=member-filter]")!.textContent).toContain("Henry Schmidt");
    expect(api.listBookings).toHaveBeenLastCalledWith(expect.objectContaining({ statuses: ["attended"], member_id: "m1" }), expect.anything());
  });
});
