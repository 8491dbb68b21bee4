// The members screen: the member search (widgets/member-search.ts; Ctrl+K focuses it) and the
// member panel: status, plan, entitlements used/remaining, upcoming bookings, "Book for this member".
import { errorText, type Api } from "../api";
import type { Entitlement } from "../bindings";
import type { MemberHit } from "../bindings";
import type { MemberPanel } from "../bindings";
import { h } from "../dom";
import { dateTimeAt, statusLabel } from "../format";
import { hitName, renderMemberSearch } from "../widgets/member-search";

/** "Recovery: 2 of 4 used this month, 2 left" / "Classes: unlimited (3 this week)" / "not included". */
export function entitlementText(e: Entitlement): string {
  const what = e.kind === "recovery" ? "Recovery" : "Classes";
  if (!e.included) return `${what}: not included in the plan`;
  const period = e.period === "week" ? "this week" : "this month";
  if (e.allowance === null) return `${what}: unlimited (${e.used} used ${period})`;
  return `${what}: ${e.used} of ${e.allowance} used ${period}, ${e.remaining ?? Math.max(0, e.allowance - e.used)} left`;
}

export interface MembersOptions {
  api: Pick<Api, "searchMembers" | "memberPanel">;
  onBook: (member: { id: string; name: string }) => void;
  /** A member's panel was opened (the desk's current member)... */
  onOpen?: (hit: MemberHit) => void;
  /** ...and is opened again when the screen comes back. */
  member?: MemberHit | null;
  timeZone?: string;
  /** Each branch's time zone by id: a booking at another branch shows at that branch's time. */
  branchZones?: Record<string, string>;
}

export function renderMembers(main: HTMLElement, options: MembersOptions): { focusSearch: () => void; refresh: () => Promise<void>; current: () => { id: string; name: string } | null } {
  const panel = h("section", { class: "panel member-panel", "aria-live": "polite", "data-testid": "member-panel" }, h("p", { class: "muted" }, "Search for a member to see their plan and bookings."));
  let asked = 0;
  let shown: MemberHit | null = null;
  /** Opens a member's panel; `again` reloads the shown one in place (after a booking). */
  const open = async (hit: MemberHit, again = false) => {
    const ticket = ++asked;
    shown = hit;
    panel.setAttribute("aria-busy", "true");
    if (!again) panel.replaceChildren(h("p", { class: "muted" }, `Loading ${hitName(hit)}…`));
    try {
      const data = await options.api.memberPanel(hit.member_id);
      if (ticket !== asked) return; // a later member was opened: "Book for this member" must book them
      drawPanel(panel, data, options);
      options.onOpen?.(hit);
    } catch (e) {
      if (ticket !== asked) return;
      const problem = (text: string) => h("p", { class: "form-status is-error", role: "alert", "data-testid": "panel-error" }, text);
      if (again) {
        // A failed reload keeps the member on screen, under the error.
        panel.querySelector("[data-testid=panel-error]")?.remove();
        panel.prepend(problem(`Could not refresh: ${errorText(e)}`));
      } else panel.replaceChildren(problem(errorText(e)));
    }
    panel.removeAttribute("aria-busy");
  };
  const search = renderMemberSearch({ api: options.api, onChoose: (hit) => void open(hit), id: "member-search", label: "Find a member (Ctrl+K)" });
  main.replaceChildren(h("div", { class: "two-col" }, h("section", { class: "panel" }, h("h2", {}, "Members"), search.root), panel));
  search.input.focus();
  if (options.member) void open(options.member);
  return {
    focusSearch: () => search.input.focus(),
    refresh: async () => (shown ? open(shown, true) : undefined),
    // The member whose panel is on screen (Ctrl+N books for them).
    current: () => (shown && panel.querySelector("[data-testid=book-for-member]") ? { id: shown.member_id, name: hitName(shown) } : null),
  };
}

function drawPanel(panel: HTMLElement, data: MemberPanel, options: MembersOptions): void {
  const m = data.member;
  const name = `${m.first_name} ${m.last_name}`;
  const book = h("button", { type: "button", class: "primary inline panel-action", "data-testid": "book-for-member" }, "Book for this member");
  book.addEventListener("click", () => options.onBook({ id: m.id, name }));
  panel.replaceChildren(
    h("h2", { "data-testid": "member-name" }, name),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Status"), h("dd", {}, h("span", { class: `pill status-${m.status}` }, statusLabel(m.status))),
      h("dt", {}, "Plan"), h("dd", {}, m.plan_name ?? "No plan"),
      h("dt", {}, "Member number"), h("dd", {}, m.member_number),
      h("dt", {}, "Home branch"), h("dd", {}, m.home_branch_name),
      h("dt", {}, "Contact"), h("dd", {}, [m.email, m.phone].filter(Boolean).join(" · ") || "—"),
    ),
    h("h3", {}, "Entitlements"),
    data.entitlements.length
      ? h("ul", { class: "plain", "data-testid": "entitlements" }, ...data.entitlements.map((e) => h("li", {}, entitlementText(e))))
      : h("p", { class: "muted" }, "No plan entitlements."),
    h("h3", {}, "Upcoming bookings"),
    data.upcoming.length
      ? h(
          "ul",
          { class: "plain", "data-testid": "upcoming" },
          ...data.upcoming.map((b) => h("li", {}, `${dateTimeAt(b.starts_at, options.branchZones?.[b.branch_id], options.timeZone)} — ${b.item_name} (${statusLabel(b.status)})`)),
        )
      : h("p", { class: "muted" }, "No upcoming bookings."),
    book,
  );
}
