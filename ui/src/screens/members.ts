// Member search as you type (debounced; Ctrl+K focuses, arrows move, Enter opens) and the member
// panel: status, plan, entitlements used/remaining, upcoming bookings, "Book for this member".
import { errorText, type Api } from "../api";
import type { Entitlement } from "../bindings/Entitlement";
import type { MemberHit } from "../bindings/MemberHit";
import type { MemberPanel } from "../bindings/MemberPanel";
import { h } from "../dom";
import { counted, dateTimeAt, statusLabel } from "../format";
import { debounce, moveHighlight } from "../keys";

/** A query worth sending: two characters, or any digit (member numbers, phone digits). */
export function shouldSearch(query: string): boolean {
  const q = query.trim();
  return q.length >= 2 || /\d/.test(q);
}

export function hitName(hit: Pick<MemberHit, "first_name" | "last_name">): string {
  return `${hit.first_name} ${hit.last_name}`.trim();
}

/** "Recovery: 2 of 4 used this month, 2 left" / "Classes: unlimited (3 this week)" / "not included". */
export function entitlementText(e: Entitlement): string {
  const what = e.kind === "recovery" ? "Recovery" : "Classes";
  if (!e.included) return `${what}: not included in the plan`;
  const period = e.period === "week" ? "this week" : "this month";
  if (e.allowance === null) return `${what}: unlimited (${e.used} used ${period})`;
  return `${what}: ${e.used} of ${e.allowance} used ${period}, ${e.remaining ?? Math.max(0, e.allowance - e.used)} left`;
}

export interface SearchBoxOptions {
  api: Pick<Api, "searchMembers">;
  onChoose: (hit: MemberHit) => void;
  id: string;
  label: string;
  delayMs?: number;
}

/** A search field with a keyboard-driven result list; reused by the concierge drawer. */
export function renderMemberSearch(options: SearchBoxOptions): { root: HTMLElement; input: HTMLInputElement } {
  const listId = `${options.id}-results`;
  const input = h("input", {
    id: options.id,
    type: "search",
    autocomplete: "off",
    placeholder: "Name, email, phone or member number",
    role: "combobox",
    "aria-controls": listId,
    "aria-expanded": "false",
    "aria-autocomplete": "list",
  });
  const list = h("ul", { id: listId, class: "results", role: "listbox", "data-testid": `${options.id}-results` });
  const status = h("p", { class: "form-status", role: "status" });
  let hits: MemberHit[] = [];
  let index = -1;
  let asked = 0;
  // The query the shown hits answer. Enter before the answer to what is typed now (a fast
  // typist, a card scanner) waits for it and opens its first hit, never a hit of an older query.
  let shownFor = "";
  let chooseWhenFound = false;
  // Moved with the arrows since the last keystroke: Enter takes that hit, as seen.
  let picked = false;
  const choose = (hit: MemberHit) => {
    chooseWhenFound = false;
    options.onChoose(hit);
  };

  const draw = () => {
    list.replaceChildren(
      ...hits.map((hit, i) => {
        const li = h(
          "li",
          { id: `${listId}-${i}`, role: "option", class: "result", "aria-selected": i === index ? "true" : "false", "data-member-id": hit.member_id },
          h("span", { class: "result-name" }, hitName(hit)),
          h("span", { class: "result-meta" }, [hit.member_number, hit.email, hit.phone].filter(Boolean).join(" · ")),
          h("span", { class: `pill status-${hit.status}` }, statusLabel(hit.status)),
        );
        li.addEventListener("mousedown", (e) => {
          e.preventDefault();
          choose(hit);
        });
        return li;
      }),
    );
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    if (index >= 0) input.setAttribute("aria-activedescendant", `${listId}-${index}`);
    else input.removeAttribute("aria-activedescendant");
    list.children[index]?.scrollIntoView?.({ block: "nearest" });
  };

  const runSearch = async (query: string) => {
    const ticket = ++asked;
    status.classList.remove("is-error");
    status.textContent = "Searching…";
    try {
      const found = await options.api.searchMembers(query);
      if (ticket !== asked) return; // a newer query is on its way
      hits = found;
      shownFor = query;
      picked = false;
      index = found.length ? 0 : -1;
      status.textContent = found.length ? `${counted(found.length, "member")} found` : "No member found.";
      draw();
      if (chooseWhenFound && found.length) choose(found[0]);
    } catch (e) {
      if (ticket !== asked) return;
      status.textContent = errorText(e);
      status.classList.add("is-error");
    }
    chooseWhenFound = false;
  };
  const search = debounce((query: string) => void runSearch(query), options.delayMs ?? 200);

  input.addEventListener("input", () => {
    chooseWhenFound = picked = false;
    if (!shouldSearch(input.value)) {
      search.cancel();
      asked++;
      hits = [];
      shownFor = "";
      index = -1;
      status.textContent = "";
      draw();
      return;
    }
    search(input.value.trim());
  });
  input.addEventListener("keydown", (e) => {
    if (["ArrowDown", "ArrowUp"].includes(e.key) && hits.length) {
      e.preventDefault();
      index = moveHighlight(index, hits.length, e.key);
      picked = true;
      chooseWhenFound = false; // staff are choosing from the list on screen
      draw();
    } else if (e.key === "Enter") {
      e.preventDefault();
      const query = input.value.trim();
      if (shownFor === query || picked) {
        chooseWhenFound = false;
        if (index >= 0 && hits[index]) choose(hits[index]);
      } else if (shouldSearch(query)) {
        search.cancel();
        chooseWhenFound = true;
        void runSearch(query);
      }
    }
  });

  const root = h("div", { class: "member-search" }, h("label", { for: options.id }, options.label), input, status, list);
  return { root, input };
}

export interface MembersOptions {
  api: Pick<Api, "searchMembers" | "memberPanel">;
  onBook: (member: { id: string; name: string }) => void;
  timeZone?: string;
  /** Each branch's time zone by id: a booking at another branch shows at that branch's time. */
  branchZones?: Record<string, string>;
}

export function renderMembers(main: HTMLElement, options: MembersOptions): { focusSearch: () => void; refresh: () => Promise<void> } {
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
  return { focusSearch: () => search.input.focus(), refresh: async () => (shown ? open(shown, true) : undefined) };
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
