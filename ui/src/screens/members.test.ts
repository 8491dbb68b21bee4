import { describe, expect, it, vi } from "vitest";
import { entitlementText, renderMembers } from "./members";
import { namesakesOnTop, renderMemberSearch, shouldSearch } from "../widgets/member-search";
import type { MemberPanel } from "../bindings";
import type { MemberHit } from "../bindings";

const hit = (n: number): MemberHit => ({ member_id: `m${n}`, member_number: `M${n}`, first_name: "Ana", last_name: `Lopez${n}`, email: null, phone: null, status: "active", home_branch_id: "b1", plan_id: null, score: 1, home_branch_name: "Central", booked_today: null });

describe("shouldSearch", () => {
  it("waits for two characters, or any digit", () => {
    expect(shouldSearch("a")).toBe(false);
    expect(shouldSearch(" an ")).toBe(true);
    expect(shouldSearch("7")).toBe(true);
    expect(shouldSearch("  ")).toBe(false);
  });
});

describe("entitlementText", () => {
  const base = { kind: "recovery", period: "month", included: true, allowance: 4, used: 2, remaining: 2, period_start: "", period_end: "" };
  it("says used, allowance and left", () => {
    expect(entitlementText(base)).toBe("Recovery: 2 of 4 used this month, 2 left");
    expect(entitlementText({ ...base, kind: "class", period: "week", allowance: null, remaining: null, used: 3 })).toBe("Classes: unlimited (3 used this week)");
    expect(entitlementText({ ...base, included: false })).toBe("Recovery: not included in the plan");
  });
});

describe("namesakesOnTop", () => {
  it("counts the hits that share the top hit's name, case, accents and spacing aside", () => {
    const named = (first_name: string, last_name: string) => ({ first_name, last_name });
    expect(namesakesOnTop([named("Ana", "López"), named("ana", "lopez"), named("Ana", "Lopes"), named("ANA ", "LÓPEZ")])).toBe(3);
    expect(namesakesOnTop([named("Ana", "Lopez"), named("Ana", "Lopes")])).toBe(1);
    expect(namesakesOnTop([])).toBe(0);
  });
});

describe("renderMemberSearch", () => {
  it("shows each hit's home branch and today's booking, keeps a phone number on one line, and with namesakes on top highlights nothing so Enter never guesses", async () => {
    vi.useFakeTimers();
    const twin = (n: number, branch: string, today: string | null): MemberHit => ({ ...hit(n), last_name: "Lopez", phone: "+44 7700 900123", home_branch_name: branch, booked_today: today });
    const searchMembers = vi.fn(async () => [twin(1, "Central", null), twin(2, "Riverside", "Sauna 18:00"), hit(3)]);
    const onChoose = vi.fn();
    const { root, input } = renderMemberSearch({ api: { searchMembers }, onChoose, id: "s", label: "Find" });
    document.body.replaceChildren(root);
    input.value = "ana lopez";
    input.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(250);
    const options = [...root.querySelectorAll("[role=option]")];
    expect(options[0].querySelector(".result-meta")!.textContent).toBe("M1 · Central · +44 7700 900123");
    expect([...options[0].querySelectorAll(".result-meta .nowrap")].map((e) => e.textContent)).toContain("+44 7700 900123");
    expect(options[1].querySelector("[data-testid=booked-today]")!.textContent).toBe("Today: Sauna 18:00");
    expect(options[0].querySelector("[data-testid=booked-today]")).toBeNull();
    expect(root.querySelector("[aria-selected=true]")).toBeNull();
    expect(root.querySelector("[role=status]")!.textContent).toBe("2 members called Ana Lopez: choose one with ↓ (home branch and number shown), then Enter.");
    const key = (k: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("Enter");
    expect(onChoose).not.toHaveBeenCalled();
    expect(root.querySelector("[role=status]")!.textContent).toBe("2 members called Ana Lopez: choose one with ↓ first.");
    key("ArrowDown");
    key("ArrowDown");
    key("Enter");
    expect(onChoose).toHaveBeenCalledWith(expect.objectContaining({ member_id: "m2", home_branch_name: "Riverside" }));
    // Enter typed before the answer (a fast typist) does not pick a namesake either.
    onChoose.mockClear();
    input.value = "lopez ana";
    input.dispatchEvent(new Event("input"));
    key("Enter");
    await vi.advanceTimersByTimeAsync(250);
    expect(searchMembers).toHaveBeenLastCalledWith("lopez ana");
    expect(onChoose).not.toHaveBeenCalled();
    expect(root.querySelector("[aria-selected=true]")).toBeNull();
    vi.useRealTimers();
  });


  it("searches after a pause, highlights with arrows and opens with Enter", async () => {
    vi.useFakeTimers();
    const searchMembers = vi.fn(async () => [hit(1), hit(2), hit(3)]);
    const onChoose = vi.fn();
    const { root, input } = renderMemberSearch({ api: { searchMembers }, onChoose, id: "s", label: "Find" });
    document.body.replaceChildren(root);
    input.value = "an";
    input.dispatchEvent(new Event("input"));
    input.value = "ana";
    input.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(250);
    expect(searchMembers).toHaveBeenCalledOnce();
    expect(searchMembers).toHaveBeenCalledWith("ana");
    expect(root.querySelectorAll("[role=option]").length).toBe(3);
    expect(root.querySelector("[aria-selected=true]")?.getAttribute("data-member-id")).toBe("m1");
    const key = (k: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("ArrowDown");
    key("ArrowDown");
    key("ArrowUp");
    expect(input.getAttribute("aria-activedescendant")).toBe("s-results-1");
    key("Enter");
    expect(onChoose).toHaveBeenCalledWith(hit(2));
    vi.useRealTimers();
  });

  it("Enter before the answer to what is typed waits for it and opens its first hit, never an older query's", async () => {
    vi.useFakeTimers();
    const searchMembers = vi.fn(async (q: string) => (q === "smith" ? [hit(1), hit(2)] : q === "smith jo" ? [hit(3), hit(4)] : q.startsWith("M") ? [hit(Number(q.slice(1)))] : []));
    const onChoose = vi.fn();
    const { root, input } = renderMemberSearch({ api: { searchMembers }, onChoose, id: "s", label: "Find" });
    document.body.replaceChildren(root);
    const type = (v: string) => {
      input.value = v;
      input.dispatchEvent(new Event("input"));
    };
    const key = (k: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    type("smith");
    await vi.advanceTimersByTimeAsync(250);
    expect(root.querySelector("[aria-selected=true]")?.getAttribute("data-member-id")).toBe("m1");
    type("smith jo");
    key("Enter"); // at once: "smith"'s highlighted m1 is still on screen
    expect(onChoose).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(searchMembers).toHaveBeenLastCalledWith("smith jo");
    expect(onChoose).toHaveBeenCalledExactlyOnceWith(hit(3));
    await vi.advanceTimersByTimeAsync(250); // no second search, no second choice
    expect(searchMembers).toHaveBeenCalledTimes(2);
    expect(onChoose).toHaveBeenCalledOnce();

    // Enter waits for "smith jon"; arrows and Enter on the list on screen choose at once, and the
    // late answer then chooses nothing more.
    let answer!: (hits: MemberHit[]) => void;
    type("smith");
    await vi.advanceTimersByTimeAsync(250);
    searchMembers.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    type("smith jon");
    key("Enter");
    key("ArrowDown");
    key("Enter");
    expect(onChoose).toHaveBeenLastCalledWith(hit(2));
    answer([hit(5)]);
    await vi.advanceTimersByTimeAsync(250);
    expect(onChoose).toHaveBeenCalledTimes(2);

    // A hit picked with the arrows in the list on screen is taken as seen.
    type("smith");
    await vi.advanceTimersByTimeAsync(250);
    type("smith j");
    key("ArrowDown");
    key("Enter");
    expect(onChoose).toHaveBeenLastCalledWith(hit(2));
    await vi.advanceTimersByTimeAsync(250);
    expect(onChoose).toHaveBeenCalledTimes(3);

    // A card scanner types the number and Enter in one go.
    type("M7");
    key("Enter");
    await vi.advanceTimersByTimeAsync(0);
    expect(onChoose).toHaveBeenLastCalledWith(hit(7));
    expect(onChoose).toHaveBeenCalledTimes(4);
    // Typing on drops a pending choice.
    type("M8");
    key("Enter");
    type("M89");
    await vi.advanceTimersByTimeAsync(250);
    expect(onChoose).toHaveBeenCalledTimes(4);
    expect(root.querySelector("[aria-selected=true]")?.getAttribute("data-member-id")).toBe("m89");
    vi.useRealTimers();
  });

  it("shows the error in words when the search fails", async () => {
    vi.useFakeTimers();
    const { ApiError } = await import("../api");
    const searchMembers = vi.fn(async () => {
      throw new ApiError("unavailable", "The club database cannot be reached.");
    });
    const { root, input } = renderMemberSearch({ api: { searchMembers }, onChoose: vi.fn(), id: "s", label: "Find" });
    input.value = "ana";
    input.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(250);
    expect(root.querySelector("[role=status]")?.textContent).toBe("The club database cannot be reached.");
    vi.useRealTimers();
  });
});

/** Searches the members screen for "ana" and opens the first hit with Enter. */
async function openFirstHit(main: HTMLElement): Promise<void> {
  vi.useFakeTimers();
  const input = main.querySelector("#member-search") as HTMLInputElement;
  input.value = "ana";
  input.dispatchEvent(new Event("input"));
  await vi.advanceTimersByTimeAsync(250);
  input.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
  await vi.advanceTimersByTimeAsync(0);
  vi.useRealTimers();
}

describe("renderMembers", () => {
  const panelOf = (n: number): MemberPanel => ({
    member: { id: `m${n}`, member_number: `M${n}`, first_name: "Ana", last_name: `Lopez${n}`, email: null, phone: null, status: "active", plan_name: null, home_branch_name: "Central", joined_on: "2026-01-01" },
    entitlements: [],
    upcoming: [],
  });

  it("shows the member opened last when an earlier member's panel answers late, and books that member", async () => {
    vi.useFakeTimers();
    const replies: Record<string, (p: MemberPanel) => void> = {};
    const memberPanel = vi.fn((id: string) => new Promise<MemberPanel>((resolve) => (replies[id] = resolve)));
    const onBook = vi.fn();
    const main = document.createElement("main");
    document.body.replaceChildren(main);
    renderMembers(main, { api: { searchMembers: vi.fn(async () => [hit(1), hit(2)]), memberPanel }, onBook });
    const input = main.querySelector("#member-search") as HTMLInputElement;
    input.value = "ana";
    input.dispatchEvent(new Event("input"));
    await vi.advanceTimersByTimeAsync(250);
    const key = (k: string) => input.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("Enter"); // opens m1
    key("ArrowDown");
    key("Enter"); // then m2, before m1 answers
    replies.m2(panelOf(2));
    await vi.advanceTimersByTimeAsync(0);
    replies.m1(panelOf(1)); // the slower, older reply
    await vi.advanceTimersByTimeAsync(0);
    expect(main.querySelector("[data-testid=member-name]")?.textContent).toBe("Ana Lopez2");
    expect(main.querySelector("[data-testid=member-panel]")?.hasAttribute("aria-busy")).toBe(false);
    (main.querySelector("[data-testid=book-for-member]") as HTMLButtonElement).click();
    expect(onBook).toHaveBeenCalledWith({ id: "m2", name: "Ana Lopez2" });
    vi.useRealTimers();
  });

  it("reloads the shown member in place on refresh (after the drawer booked for them)", async () => {
    const entitlement = { kind: "recovery", period: "month", included: true, allowance: 4, used: 1, remaining: 3, period_start: "", period_end: "" };
    let used = 1;
    const memberPanel = vi.fn(async (): Promise<MemberPanel> => ({ ...panelOf(1), entitlements: [{ ...entitlement, used, remaining: 4 - used }] }));
    const main = document.createElement("main");
    const screen = renderMembers(main, { api: { searchMembers: vi.fn(async () => [hit(1)]), memberPanel }, onBook: vi.fn() });
    await screen.refresh(); // nobody shown yet: nothing to load
    expect(memberPanel).not.toHaveBeenCalled();
    await openFirstHit(main);
    const text = () => main.querySelector("[data-testid=entitlements]")?.textContent;
    expect(text()).toBe("Recovery: 1 of 4 used this month, 3 left");
    used = 2;
    const reloading = screen.refresh();
    expect(text()).toBe("Recovery: 1 of 4 used this month, 3 left"); // kept on screen while it reloads
    await reloading;
    expect(memberPanel).toHaveBeenLastCalledWith("m1");
    expect(text()).toBe("Recovery: 2 of 4 used this month, 2 left");

    // A reload that fails keeps the member on screen, under the error.
    const { ApiError } = await import("../api");
    memberPanel.mockRejectedValueOnce(new ApiError("unavailable", "The club database cannot be reached."));
    await screen.refresh();
    expect(main.querySelector("[data-testid=panel-error]")?.textContent).toBe("Could not refresh: The club database cannot be reached.");
    expect(main.querySelector("[data-testid=member-name]")?.textContent).toBe("Ana Lopez1");
    expect(text()).toBe("Recovery: 2 of 4 used this month, 2 left");
  });

  it("lists upcoming bookings at their own branch's time, naming a zone that is not the desk's", async () => {
    const booking = { kind: "class", id: "k", status: "booked", member_id: "m1", member_number: "M1", member_name: "Ana Lopez1", item_id: "c", booked_by_staff_id: null, booked_by_name: null, capacity_override: false, allowance_override: false, override_reason: null, created_at: "2026-11-20T10:00:00Z" };
    const panel: MemberPanel = {
      ...panelOf(1),
      upcoming: [
        { ...booking, branch_id: "london", starts_at: "2026-11-28T09:00:00Z", item_name: "Spin" },
        { ...booking, branch_id: "sydney", starts_at: "2026-11-28T20:00:00Z", item_name: "Yoga" },
      ],
    };
    const main = document.createElement("main");
    renderMembers(main, {
      api: { searchMembers: vi.fn(async () => [hit(1)]), memberPanel: vi.fn(async () => panel) },
      onBook: vi.fn(),
      timeZone: "Europe/London",
      branchZones: { london: "Europe/London", sydney: "Australia/Sydney" },
    });
    await openFirstHit(main);
    const items = [...main.querySelectorAll("[data-testid=upcoming] li")].map((li) => li.textContent);
    expect(items).toEqual(["Sat 28 Nov, 09:00 — Spin (Booked)", "Sun 29 Nov, 07:00 (Sydney) — Yoga (Booked)"]);
  });
});
