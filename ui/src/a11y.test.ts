// Accessibility, checked by machine: axe-core over every screen as it is drawn (with real-looking
// data, a drawer open, a row confirm open), and the contrast of every text colour the stylesheet
// sets against the background it sets or sits on. axe's own contrast rule needs a layout engine,
// which jsdom has not; the stylesheet check below covers it.
import axe from "axe-core";
import { describe, expect, it, vi } from "vitest";
import RULES from "./fixtures/booking-rules.json";
import { renderFrame } from "./shell";
import { openConcierge } from "./screens/concierge";
import { renderBookings } from "./screens/bookings";
import { renderMembers } from "./screens/members";
import { renderPassword } from "./screens/password";
import { renderSchedule } from "./screens/schedule";
import { renderSetup } from "./screens/setup";
import { renderSignIn } from "./screens/sign-in";
import type { BookingRow, MemberHit, Schedule } from "./bindings";
import { readFileSync } from "node:fs";
import { appInfo, manager } from "./test-fixtures";

const flush = () => new Promise((r) => setTimeout(r, 0));

/** axe's violations on the page, as readable lines ("rule: target"). */
async function violations(): Promise<string[]> {
  const result = await axe.run(document.body, { rules: { "color-contrast": { enabled: false } } });
  return result.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")} (${v.help})`));
}

const hit: MemberHit = { member_id: "m1", member_number: "M000123", first_name: "Siobhán", last_name: "O'Connor", email: "siobhan@example.com", phone: "+44 7700 900123", status: "active", home_branch_id: "b1", plan_id: null, score: 1, home_branch_name: "Central", booked_today: "Sauna 18:00" };
const schedule: Schedule = {
  inserted: 0,
  facilities: [
    { id: "f1", branch_id: "b1", name: "Sauna", kind: "sauna", is_active: true, under_maintenance: false, available_days: [1, 2, 3, 4, 5, 6, 7] },
    { id: "f2", branch_id: "b1", name: "Steam Room", kind: "steam", is_active: true, under_maintenance: true, available_days: [1, 2, 3, 4, 5, 6, 7] },
  ],
  slots: [0, 1, 2].map((i) => ({ id: `s${i}`, facility_id: "f1", starts_at: `2999-01-01T0${7 + i}:00:00Z`, ends_at: `2999-01-01T0${7 + i}:45:00Z`, local_date: "2999-01-01", local_start: `0${7 + i}:00:00`, local_end: `0${7 + i}:45:00`, capacity: 4, booked_count: i * 2 })),
};
const row: BookingRow = {
  kind: "class", id: "bk1", branch_id: "b1", starts_at: "2999-01-01T18:00:00Z", status: "booked", member_id: "m1", member_number: "M000123",
  member_name: "Siobhán O'Connor", item_name: "Spin", item_id: "c1", booked_by_staff_id: "s1", booked_by_name: "Maria Manager",
  capacity_override: true, allowance_override: false, override_reason: "Physio referral", created_at: "2998-12-30T10:00:00Z",
};
const api = {
  searchMembers: vi.fn(async () => [hit, { ...hit, member_id: "m2", member_number: "M000124", home_branch_name: "Riverside", booked_today: null }]),
  memberPanel: vi.fn(async () => ({ member: { id: "m1", member_number: "M000123", first_name: "Siobhán", last_name: "O'Connor", email: null, phone: null, status: "active", plan_name: "Premium Unlimited", home_branch_name: "Central", joined_on: "2024-01-01" }, entitlements: [], upcoming: [] })),
  weekSchedule: vi.fn(async () => schedule),
  upcomingClasses: vi.fn(async () => []),
  createBooking: vi.fn(),
  listBookings: vi.fn(async () => ({ rows: [row, { ...row, id: "bk2", status: "no_show", capacity_override: false, override_reason: null }], next: null })),
  cancelBooking: vi.fn(),
  setAttendance: vi.fn(),
  exportBookingsCsv: vi.fn(),
  testClubConnection: vi.fn(),
  saveClubConnection: vi.fn(),
  useDemoDatabase: vi.fn(),
  providePassword: vi.fn(),
};

/** The desk's frame (app bar, tabs) with a screen drawn in its main area. */
function frame(view?: "members" | "schedule" | "bookings") {
  document.body.replaceChildren();
  const root = document.createElement("div");
  root.id = "app";
  document.body.append(root);
  return renderFrame(root, appInfo({ staff: manager }), { view, onNavigate: vi.fn(), onSignOut: vi.fn(), onSwitchStaff: vi.fn(), onSettings: vi.fn() }).main;
}

describe("axe-core finds nothing on", () => {
  it("the sign-in screen with the demo staff", async () => {
    renderSignIn(frame(), { onSubmit: async () => {}, demoStaff: [{ full_name: "Maria Manager", email: "maria@demo.example", role: "manager", pin: "2468" }], loadStaff: async () => [] });
    expect(await violations()).toEqual([]);
  });

  it("the members screen with results and a member's panel", async () => {
    vi.useFakeTimers();
    const main = frame("members");
    renderMembers(main, { api: api as never, onBook: vi.fn(), timeZone: "Europe/London" });
    const input = main.querySelector("#member-search") as HTMLInputElement;
    input.value = "siobhan";
    input.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(250);
    vi.useRealTimers();
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    await flush();
    expect(main.querySelector("[data-testid=member-name]")).not.toBeNull();
    expect(await violations()).toEqual([]);
  });

  it("the concierge drawer with its slot columns, a selection and the override reason", async () => {
    frame("members");
    const drawer = openConcierge(document.body, { api: api as never, rules: RULES, staff: manager, member: { id: "m1", name: "Siobhán O'Connor" }, today: "2999-01-01", onBooked: vi.fn(), onClose: vi.fn() });
    await flush();
    drawer.root.querySelector("[data-testid=drawer-choices]")!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true }));
    const override = drawer.root.querySelector("[data-testid=override-capacity]") as HTMLInputElement;
    override.checked = true;
    override.dispatchEvent(new Event("change"));
    expect(await violations()).toEqual([]);
  });

  it("All Bookings with rows and a row's confirm open", async () => {
    const main = frame("bookings");
    renderBookings(main, { api: api as never, rules: RULES, timeZone: "Europe/London", onNewBooking: vi.fn() });
    await flush();
    (main.querySelector("tr[data-booking-id=bk1] button[data-action=cancel]") as HTMLButtonElement).click();
    expect(await violations()).toEqual([]);
  });

  it("the recovery schedule", async () => {
    renderSchedule(frame("schedule"), { api: api as never, timeZone: "Europe/London" });
    await flush();
    expect(await violations()).toEqual([]);
  });

  it("the connection settings and the password screen", async () => {
    renderSetup(frame(), { api: api as never, onDone: vi.fn() });
    expect(await violations()).toEqual([]);
    renderPassword(frame(), { api: api as never, deskRole: "desk_ldn", refused: "The database refused this desk role or password.", onDone: vi.fn(), onChangeSettings: vi.fn() });
    expect(await violations()).toEqual([]);
  });
});

// ---- Contrast of the stylesheet's colours (WCAG 2.x: 4.5:1 for text) ----------------------

type Rgb = [number, number, number];
function parseHex(hex: string): Rgb | null {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  const h = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
  return [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb;
}
const luminance = ([r, g, b]: Rgb) => {
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
};
export function contrast(a: Rgb, b: Rgb): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

describe("contrast", () => {
  it("computes WCAG ratios", () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrast([255, 255, 255], [255, 255, 255])).toBeCloseTo(1, 5);
    expect(contrast(parseHex("#767676")!, parseHex("#fff")!)).toBeCloseTo(4.54, 2);
  });

  it("is at least 4.5:1 for every text colour in the stylesheet, on its own background or on the page's and the cards'", () => {
    const css = readFileSync("src/styles.css", "utf8") /* vitest runs in ui/ */.replace(/\/\*[\s\S]*?\*\//g, "");
    const vars = Object.fromEntries([...css.matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1], m[2].trim()]));
    const resolve = (v: string) => v.replace(/var\((--[\w-]+)\)/g, (_, name) => vars[name] ?? "");
    const surfaces = [vars["--card"], vars["--paper"]].map((c) => parseHex(c)!);
    const failures: string[] = [];
    let checked = 0;
    const rules = [...css.matchAll(/([^{}]+)\{([^{}]*)\}/g)].map(([, selector, body]) => ({ selector: selector.trim(), body }));
    const declIn = (body: string, prop: string) => new RegExp(`(?:^|;)\\s*${prop}\\s*:\\s*([^;]+)`).exec(body)?.[1];
    const backgroundOf = (body: string) => declIn(body, "background-color") ?? declIn(body, "background");
    for (const { selector, body } of rules) {
      const fg = declIn(body, "color");
      if (!fg) continue;
      const ink = parseHex(resolve(fg));
      if (!ink) continue; // inherit, currentColor, transparent: nothing to compare
      // Its own background, else the nearest ancestor's in the selector (".app-bar .link-button"
      // sits on .app-bar's), else the page's and the cards'.
      const parts = selector.split(/\s+/);
      let bgText = backgroundOf(body);
      for (let i = parts.length - 1; !bgText && i > 0; i--) {
        const prefix = parts.slice(0, i).join(" ");
        bgText = rules.filter((r) => r.selector === prefix).map((r) => backgroundOf(r.body)).find(Boolean);
      }
      const bg = bgText ? parseHex(resolve(bgText)) : null;
      for (const ground of bg ? [bg] : surfaces) {
        checked++;
        const ratio = contrast(ink, ground);
        if (ratio < 4.5) failures.push(`${selector.trim()}: ${fg.trim()} on ${bg ? bgText!.trim() : "the page"} is ${ratio.toFixed(2)}:1`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(failures).toEqual([]);
  });
});
