// The frame around every screen: app bar with the title, version and the database badge.
import type { AppInfo } from "./api";
import { h } from "./dom";

/** Renders the frame into `root` and returns the `<main>` element screens render into. */
export function renderShell(root: HTMLElement, info: AppInfo | null): HTMLElement {
  const badge =
    info?.mode === "demo"
      ? h(
          "span",
          { class: "badge badge-demo", "data-testid": "demo-badge", title: "Bookings here are not the club's real data" },
          "Demo database",
        )
      : null;
  const header = h(
    "header",
    { class: "app-bar" },
    h("h1", { class: "app-title", "data-testid": "app-title" }, "Branch Desk"),
    badge,
    h("span", { class: "app-version" }, info ? `v${info.version}` : ""),
  );
  const main = h("main", { class: "screen", id: "screen" });
  root.replaceChildren(header, main);
  return main;
}
