// The member search field with its keyboard-driven result list (debounced as you type; arrows
// move, Enter opens the first hit once the answer to what is typed is in). Each hit shows its
// home branch and today's booking; when the best hits are namesakes nothing is highlighted and
// Enter waits for a choice with the arrows, never a guess. Used by the members screen, the
// concierge drawer and All Bookings' member filter.
import { errorText, type Api } from "../api";
import type { MemberHit } from "../bindings";
import { h } from "../dom";
import { counted, statusLabel } from "../format";
import { debounce, moveHighlight } from "../keys";

/** A query worth sending: two characters, or any digit (member numbers, phone digits). */
export function shouldSearch(query: string): boolean {
  const q = query.trim();
  return q.length >= 2 || /\d/.test(q);
}

export function hitName(hit: Pick<MemberHit, "first_name" | "last_name">): string {
  return `${hit.first_name} ${hit.last_name}`.trim();
}

/** A name as people read it: case, accents and spacing aside ("José  Núñez" = "jose nunez"). */
const sameName = (hit: Pick<MemberHit, "first_name" | "last_name">) =>
  hitName(hit).normalize("NFD").replace(/\p{M}/gu, "").toLowerCase().replace(/\s+/g, " ");

/** How many of the first hits share the top hit's name (1: no namesake on top). */
export function namesakesOnTop(hits: Pick<MemberHit, "first_name" | "last_name">[]): number {
  if (!hits.length) return 0;
  const top = sameName(hits[0]);
  return hits.filter((h) => sameName(h) === top).length;
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
  // How many of the shown hits share the top hit's name.
  let namesakes = 0;
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
          h("span", { class: "result-meta" }, ...[hit.member_number, hit.home_branch_name, hit.phone, hit.email].filter(Boolean).flatMap((part, n) => [n ? " · " : "", h("span", { class: "nowrap" }, part!)])),
          hit.booked_today ? h("span", { class: "pill today", "data-testid": "booked-today" }, `Today: ${hit.booked_today}`) : null,
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
      namesakes = namesakesOnTop(found);
      // Namesakes on top: nothing is highlighted, so Enter cannot pick one of them by chance.
      index = found.length && namesakes < 2 ? 0 : -1;
      status.textContent = !found.length
        ? "No member found."
        : namesakes > 1
          ? `${namesakes} members called ${hitName(found[0])}: choose one with ↓ (home branch and number shown), then Enter.`
          : `${counted(found.length, "member")} found`;
      draw();
      if (chooseWhenFound && found.length && namesakes < 2) choose(found[0]);
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
        else if (namesakes > 1) status.textContent = `${namesakes} members called ${hitName(hits[0])}: choose one with ↓ first.`;
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
