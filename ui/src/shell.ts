// The frame around every screen: app bar (title, demo badge, branch, signed-in staff, sign out),
// the connection banner, the navigation, and the `<main>` that screens render into.
import type { AppInfo, Connection } from "./api";
import { h } from "./dom";

export type View = "members" | "schedule" | "bookings";

export const VIEWS: { id: View; label: string }[] = [
  { id: "members", label: "Members" },
  { id: "schedule", label: "Recovery schedule" },
  { id: "bookings", label: "All Bookings" },
];

/** Which screen the desk shows for what the shell says about itself. */
export type Stage = "setup" | "password" | "connecting" | "sign-in" | "desk";

export function stageFor(info: AppInfo | null): Stage {
  if (!info) return "connecting";
  switch (info.connection.state) {
    case "needs_password":
    case "password_refused":
      return "password";
    case "connecting":
      return "connecting";
    default:
      // Unavailable still shows the last screen under a banner; without staff that is sign-in.
      return info.staff ? "desk" : "sign-in";
  }
}

/** Settings' "About" line: app version, database and its schema version (for support calls). */
export function aboutText(info: AppInfo): string {
  const database = info.mode === "demo" ? "demo database" : `club database as ${info.desk_role ?? "?"}`;
  const schema = info.schema_version === null ? "schema unknown" : `schema ${info.schema_version}`;
  return `${info.name} ${info.version} · ${database} · ${schema}`;
}

/** The banner text while the database is unreachable; null when all is well. */
export function bannerText(connection: Connection | null): string | null {
  if (!connection || connection.state !== "unavailable") return null;
  return connection.message || "The club database cannot be reached.";
}

export interface ShellOptions {
  view?: View | null;
  onNavigate?: (view: View) => void;
  onSignOut?: () => void;
  onSwitchStaff?: () => void;
  onSettings?: () => void;
}

export interface Frame {
  main: HTMLElement;
  banner: HTMLElement;
}

/** Renders the frame into `root` and returns the `<main>` element screens render into. */
export function renderShell(root: HTMLElement, info: AppInfo | null, options: ShellOptions = {}): HTMLElement {
  return renderFrame(root, info, options).main;
}

export function renderFrame(root: HTMLElement, info: AppInfo | null, options: ShellOptions = {}): Frame {
  const badge =
    info?.mode === "demo"
      ? h(
          "span",
          { class: "badge badge-demo", "data-testid": "demo-badge", title: "Bookings here are not the club's real data" },
          "Demo database",
        )
      : null;
  const staff = info?.staff ?? null;
  const who = staff
    ? h(
        "div",
        { class: "who" },
        h("span", { class: "who-name", "data-testid": "staff-name" }, `${staff.full_name}`),
        h("span", { class: "who-role" }, staff.role === "manager" ? "Manager" : "Front desk"),
        options.onSwitchStaff
          ? h("button", { type: "button", class: "link-button", "data-testid": "switch-staff" }, "Switch")
          : null,
        h("button", { type: "button", class: "link-button", "data-testid": "sign-out" }, "Sign out"),
      )
    : null;
  if (who) {
    const [switchButton, signOut] = [who.querySelector("[data-testid=switch-staff]"), who.querySelector("[data-testid=sign-out]")];
    switchButton?.addEventListener("click", () => options.onSwitchStaff?.());
    signOut?.addEventListener("click", () => options.onSignOut?.());
  }
  const header = h(
    "header",
    { class: "app-bar" },
    h("h1", { class: "app-title", "data-testid": "app-title" }, "Branch Desk"),
    badge,
    info?.branch ? h("span", { class: "branch-name", "data-testid": "branch-name" }, info.branch.name) : null,
    h("span", { class: "app-version" }, info ? `v${info.version}` : ""),
    who,
  );
  const nav =
    staff && options.view !== undefined
      ? h(
          "nav",
          { class: "tabs", "aria-label": "Screens" },
          ...VIEWS.map((v, i) => {
            const b = h(
              "button",
              { type: "button", class: "tab", "data-view": v.id, title: `Ctrl+${i + 1}`, "aria-current": options.view === v.id ? "page" : undefined },
              v.label,
            );
            b.addEventListener("click", () => options.onNavigate?.(v.id));
            return b;
          }),
          options.onSettings
            ? (() => {
                const b = h("button", { type: "button", class: "tab tab-settings", "data-view": "settings" }, "Connection settings");
                b.addEventListener("click", () => options.onSettings?.());
                return b;
              })()
            : null,
        )
      : null;
  const banner = h("div", { class: "banner-slot", "data-testid": "banner-slot" });
  const main = h("main", { class: staff && options.view !== undefined ? "screen screen-desk" : "screen", id: "screen" });
  root.replaceChildren(header, banner, nav ?? "", main);
  return { main, banner };
}

/** Fills the banner slot: the reason, a Retry button and when the next automatic try is. */
export function renderBanner(slot: HTMLElement, text: string | null, onRetry: () => void, retrying = false): void {
  if (!text) {
    slot.replaceChildren();
    return;
  }
  const retry = h("button", { type: "button", class: "secondary", "data-testid": "banner-retry", disabled: retrying }, retrying ? "Retrying…" : "Retry");
  retry.addEventListener("click", onRetry);
  slot.replaceChildren(
    h(
      "div",
      { class: "banner", role: "alert", "data-testid": "connection-banner" },
      h("span", {}, text, " Trying again every 5 seconds."),
      retry,
    ),
  );
}
