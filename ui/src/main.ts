// Entry point and the desk's flow: ask the shell where it stands (setup, password, sign-in or the
// desk), draw the frame, switch screens, keep the connection banner and its automatic retry.
import "./styles.css";
import { api, errorText, ApiError, type AppInfo } from "./api";
import { shortcutFor } from "./keys";
import { dateOrderFor, hhmm, type DateOrder } from "./format";
import { aboutText, bannerText, renderBanner, renderFrame, stageFor, type View } from "./shell";
import { renderBookings, type FilterState } from "./screens/bookings";
import { openConcierge, type Drawer } from "./screens/concierge";
import { renderMembers } from "./screens/members";
import { renderPassword } from "./screens/password";
import { renderSchedule } from "./screens/schedule";
import { renderSetup } from "./screens/setup";
import { renderSignIn, signInDraft } from "./screens/sign-in";
import { h } from "./dom";
import type { BookingKind, MemberHit } from "./bindings";
import { hitName } from "./widgets/member-search";

export const RETRY_MS = 5_000;

const root = document.getElementById("app")!;
let info: AppInfo | null = null;
let view: View = "members";
let banner: HTMLElement | null = null;
let retryTimer: ReturnType<typeof setInterval> | undefined;
let retrying = false;
let drawer: Drawer | null = null;
/** The open desk screen: reloaded after the drawer books, so what it shows is never stale. */
let screen: { refresh: () => Promise<void>; focus?: () => void } | null = null;
let members: { focusSearch: () => void; current: () => { id: string; name: string } | null } | null = null;
/** The screen is being drawn for a keyboard shortcut. */
let byKeys = false;
/** The member whose panel was opened last: the schedule books for them. */
let currentMember: MemberHit | null = null;
/** All Bookings' filters, kept while another tab is open (until sign-out). */
let bookingFilters: FilterState | undefined;
/** The drawer opens on the kind and day it was last closed on. */
let lastDrawer: { kind: BookingKind; day: string } | undefined;
let settingsOpen = false;
let note: string | undefined;

function showBanner(text: string | null): void {
  if (banner) renderBanner(banner, text, () => void retry(), retrying);
  if (text && retryTimer === undefined) retryTimer = setInterval(() => void retry(), RETRY_MS);
  if (!text && retryTimer !== undefined) {
    clearInterval(retryTimer);
    retryTimer = undefined;
  }
}

async function retry(): Promise<void> {
  if (retrying) return;
  retrying = true;
  showBanner(bannerText(info?.connection ?? null) ?? "The club database cannot be reached.");
  try {
    const fresh = await api.reconnect();
    retrying = false;
    const before = stageFor(info);
    info = fresh;
    // Mid-session the open screen and drawer (with its pending confirm) stay as they are and only
    // the banner goes; elsewhere (e.g. sign-in at start) the screen is drawn again.
    const keep = stageFor(fresh) === before && (before === "desk" || fresh.connection.state === "unavailable");
    if (keep) showBanner(bannerText(fresh.connection));
    else draw();
  } catch (e) {
    retrying = false;
    showBanner(errorText(e));
  }
}

/** Any command failing with `unavailable` raises the banner and starts the automatic retry. */
function noticeError(e: unknown): void {
  if (e instanceof ApiError && e.code === "unavailable") showBanner(e.message);
}

async function refreshInfo(): Promise<void> {
  try {
    info = await api.appInfo();
  } catch (e) {
    console.error("app_info failed", e);
  }
  draw();
}

function draw(): void {
  const typedSignIn = signInDraft(root);
  drawer?.close();
  drawer = null;
  screen = null;
  members = null;
  const stage = settingsOpen ? "setup" : stageFor(info);
  const frame = renderFrame(root, info, {
    view: stage === "desk" ? view : undefined,
    onNavigate: (v) => {
      view = v;
      draw();
    },
    onSignOut: () => void signOut(),
    onSwitchStaff: () => void signOut(),
    onSettings: () => {
      settingsOpen = true;
      draw();
    },
  });
  banner = frame.banner;
  showBanner(bannerText(info?.connection ?? null));
  const main = frame.main;
  const tz = info?.branch?.timezone;
  switch (stage) {
    case "connecting":
      main.replaceChildren(h("section", { class: "card", role: "status" }, h("h2", {}, "Opening the database…"), h("p", { class: "muted" }, "The first start of the demo database takes a little while.")));
      setTimeout(() => void refreshInfo(), 1_000);
      return;
    case "setup":
      renderSetup(main, {
        api,
        about: info && info.connection.state === "ready" ? aboutText(info) : undefined,
        saved: info?.club,
        branches: info?.branches,
        onDone: (fresh, message) => {
          settingsOpen = false;
          info = fresh;
          note = message;
          draw();
        },
        onCancel: settingsOpen
          ? () => {
              settingsOpen = false;
              draw();
            }
          : undefined,
      });
      return;
    case "password":
      renderPassword(main, {
        api,
        deskRole: info?.desk_role ?? null,
        refused: info?.connection.state === "password_refused" ? info.connection.message : null,
        onDone: (fresh) => {
          info = fresh;
          draw();
        },
        onChangeSettings: () => {
          settingsOpen = true;
          draw();
        },
      });
      return;
    case "sign-in":
      renderSignIn(main, {
        // Drawn again (e.g. the database came back): what staff were typing stays.
        draft: typedSignIn,
        demoStaff: info?.demo_staff,
        loadStaff: () => api.listDeskStaff(),
        onSubmit: async ({ email, pin }) => {
          try {
            const staff = await api.signIn(email, pin);
            info = info ? { ...info, staff } : info;
            view = "members";
            draw();
          } catch (e) {
            noticeError(e);
            throw e;
          }
        },
      });
      if (info?.first_run) main.prepend(setupOffer(true));
      else main.append(setupOffer(false));
      if (note) main.prepend(h("p", { class: "notice", role: "status" }, note));
      note = undefined;
      return;
    case "desk": {
      // An open desk always sends the database's booking rules; the screens offer only those.
      const rules = info?.rules;
      if (!rules) {
        main.replaceChildren(h("section", { class: "card", role: "status" }, h("h2", {}, "Opening the database…")));
        setTimeout(() => void refreshInfo(), 1_000);
        return;
      }
      const branchZones = Object.fromEntries((info?.branches ?? []).map((b) => [b.id, b.timezone]));
      if (view === "members") {
        screen = members = renderMembers(main, { api: withNotice(api), timeZone: tz, branchZones, onBook: (member) => openDrawer(member), member: currentMember, onOpen: (hit) => (currentMember = hit) });
      } else if (view === "schedule") {
        const schedule = renderSchedule(main, {
          api: withNotice(api),
          timeZone: tz,
          // A slot chosen on the grid: the drawer opens on it, for the member last opened.
          onBook: (slot, facility) =>
            openDrawer(currentMember && { id: currentMember.member_id, name: hitName(currentMember) }, { id: slot.id, day: slot.local_date, facility: facility.name, time: hhmm(slot.local_start) }),
        });
        screen = schedule;
        schedule.focus();
      } else {
        screen = renderBookings(main, {
          api: withNotice(api),
          rules,
          timeZone: tz,
          dateOrder: dateOrder(),
          branchZones,
          filters: bookingFilters,
          focusRows: byKeys,
          onFilters: (f) => (bookingFilters = f),
          onNewBooking: () => openDrawer(null),
        });
      }
      (root.querySelector(`.tab[data-view=${view}]`) as HTMLElement | null)?.setAttribute("aria-current", "page");
      return;
    }
  }
}

/** On the sign-in screen: first run offers to connect this desk to the club database (until then
 * it runs on the demo database); later, the connection settings stay one click away. */
function setupOffer(firstRun: boolean): HTMLElement {
  const open = h(
    "button",
    { type: "button", class: firstRun ? "primary inline" : "link-button", "data-testid": "open-setup" },
    firstRun ? "Connect to the club database" : "Connection settings",
  );
  open.addEventListener("click", () => {
    settingsOpen = true;
    draw();
  });
  return firstRun
    ? h("p", { class: "notice first-run", "data-testid": "first-run" }, "This desk is not set up yet: it runs on the demo database. ", open)
    : h("p", { class: "settings-link" }, open);
}

/** Sign out (also the quick switch: the sign-in screen lists the desk's staff). */
async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } catch (e) {
    console.error("sign_out failed", e);
  }
  info = info ? { ...info, staff: null } : info;
  bookingFilters = lastDrawer = undefined; // the next person starts afresh
  currentMember = null;
  draw();
}

function openDrawer(member: { id: string; name: string } | null, slot?: { id: string; day: string; facility: string; time: string }): void {
  if (!info?.staff || !info.rules || stageFor(info) !== "desk") return;
  drawer?.close();
  drawer = openConcierge(document.body, {
    api: withNotice(api),
    staff: info.staff,
    rules: info.rules,
    member,
    slot,
    kind: lastDrawer?.kind,
    day: lastDrawer?.day,
    timeZone: info.branch?.timezone,
    dateOrder: dateOrder(),
    onBooked: () => void screen?.refresh(),
    onClose: (last) => {
      drawer = null;
      lastDrawer = last;
      // The button or slot that opened it may have been redrawn (the screen refreshes after a
      // booking): the screen says where the next key goes (the member search, the grid).
      if (document.activeElement === document.body) (members ? members.focusSearch() : screen?.focus?.());
    },
  });
}

/** The branch's date order: its own setting, else the guess from its time zone. */
function dateOrder(): DateOrder {
  const set = info?.branch?.date_order;
  return set === "dmy" || set === "mdy" || set === "ymd" ? set : dateOrderFor(info?.branch?.timezone);
}

/** Wraps every call so an `unavailable` answer raises the connection banner. */
function withNotice<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(obj, args).catch((e: unknown) => {
          noticeError(e);
          throw e;
        });
    },
  });
}

document.addEventListener("keydown", (e) => {
  const shortcut = shortcutFor(e);
  if (!shortcut || stageFor(info) !== "desk" || settingsOpen) return;
  if (shortcut === "search") {
    e.preventDefault();
    if (drawer) return (document.getElementById("drawer-member-search") as HTMLInputElement | null)?.focus();
    if (view !== "members") {
      view = "members";
      draw();
    }
    members?.focusSearch();
  } else if (shortcut === "new-booking") {
    e.preventDefault();
    // For the member on screen, if any; an open drawer keeps what was entered in it.
    if (!drawer) openDrawer(view === "members" ? (members?.current() ?? null) : null);
  } else if (shortcut === "close" && drawer) {
    e.preventDefault();
    drawer.close();
  } else if ((shortcut === "members" || shortcut === "schedule" || shortcut === "bookings") && !drawer) {
    e.preventDefault();
    view = shortcut;
    byKeys = true; // the screen puts the focus where the next key goes
    draw();
    byKeys = false;
  }
});

void refreshInfo();
