// First run (and later "Connection settings"): connect this desk to the club database, tested
// before it is saved, or use the embedded demo database.
import { errorText, type Api, type AppInfo } from "../api";
import type { Branch } from "../bindings";
import type { ClubConnection } from "../bindings";
import type { TlsMode } from "../bindings";
import { h } from "../dom";
import { counted } from "../format";

export interface SetupValues {
  host: string;
  port: string;
  database: string;
  desk_role: string;
  password: string;
  tls: string;
  ca_file: string;
  branch_id: string;
}

export const TLS_MODES: { value: TlsMode; label: string }[] = [
  { value: "verify-full", label: "verify-full (certificate and host checked)" },
  { value: "verify-ca", label: "verify-ca (certificate checked)" },
  { value: "require", label: "require (encrypted, not verified)" },
  { value: "prefer", label: "prefer" },
  { value: "disable", label: "disable (no encryption)" },
];

export type SetupErrors = Partial<Record<keyof SetupValues, string>>;

/** Whether the TLS mode needs a CA certificate file. */
export function needsCaFile(tls: string): boolean {
  return tls === "verify-ca" || tls === "verify-full";
}

/** Checks the form and builds the settings the shell takes; `settings` is null when there are errors. */
export function readSetup(v: SetupValues): { settings: ClubConnection | null; errors: SetupErrors } {
  const errors: SetupErrors = {};
  const host = v.host.trim();
  const database = v.database.trim();
  const role = v.desk_role.trim();
  const port = Number(v.port.trim());
  if (!host) errors.host = "Enter the database host.";
  if (!/^\d+$/.test(v.port.trim()) || port < 1 || port > 65535) errors.port = "The port is a number from 1 to 65535.";
  if (!database) errors.database = "Enter the database name.";
  if (!role) errors.desk_role = "Enter this desk's role (its database login).";
  if (!v.password) errors.password = "Enter the desk role's password.";
  if (!TLS_MODES.some((m) => m.value === v.tls)) errors.tls = "Choose a TLS mode.";
  if (needsCaFile(v.tls) && !v.ca_file.trim()) errors.ca_file = "This TLS mode needs the club's CA certificate file.";
  if (Object.keys(errors).length > 0) return { settings: null, errors };
  return {
    errors,
    settings: {
      host,
      port,
      database,
      desk_role: role,
      tls: v.tls as TlsMode,
      ca_file: needsCaFile(v.tls) ? v.ca_file.trim() : null,
      branch_id: v.branch_id || null,
    },
  };
}

export interface SetupOptions {
  api: Pick<Api, "testClubConnection" | "saveClubConnection" | "useDemoDatabase">;
  onDone: (info: AppInfo, note?: string) => void;
  /** The "About" line (version, database, schema), when the desk has one open. */
  about?: string;
  /** Shown as a Cancel button when settings are changed later from the app. */
  onCancel?: () => void;
  /** The desk's saved club connection: the form starts with it, and leaving it for the demo asks first. */
  saved?: ClubConnection | null;
  /** The branches the open desk sees, to name the saved branch. */
  branches?: Branch[];
}

const FIELDS: { key: keyof SetupValues; label: string; type?: string; value?: string }[] = [
  { key: "host", label: "Host" },
  { key: "port", label: "Port", value: "5432" },
  { key: "database", label: "Database", value: "postgres" },
  { key: "desk_role", label: "Desk role" },
  { key: "password", label: "Password", type: "password" },
];

export function renderSetup(main: HTMLElement, options: SetupOptions): HTMLElement {
  const inputs = {} as Record<keyof SetupValues, HTMLInputElement | HTMLSelectElement>;
  const errorsEl = {} as Record<keyof SetupValues, HTMLElement>;
  const field = (key: keyof SetupValues, control: HTMLInputElement | HTMLSelectElement, label: string) => {
    control.id = `setup-${key}`;
    control.setAttribute("aria-describedby", `setup-${key}-error`);
    inputs[key] = control;
    errorsEl[key] = h("p", { class: "field-error", id: `setup-${key}-error` });
    return h("div", { class: "field" }, h("label", { for: control.id }, label), control, errorsEl[key]);
  };
  const tls = h("select", {}, ...TLS_MODES.map((m) => h("option", { value: m.value }, m.label)));
  const branch = h("select", {}, h("option", { value: "" }, "The desk role's own branch"));
  const status = h("p", { class: "form-status", role: "status", "data-testid": "setup-status" });
  const test = h("button", { type: "button", class: "secondary", "data-testid": "setup-test" }, "Test connection");
  const save = h("button", { type: "submit", class: "primary inline" }, "Save");
  const demo = h("button", { type: "button", class: "primary", "data-testid": "use-demo" }, "Use the demo database");
  const caField = field("ca_file", h("input", { type: "text", placeholder: "/etc/ssl/club-ca.pem" }), "CA certificate file");

  const form = h(
    "form",
    { class: "setup-form", novalidate: true, "aria-labelledby": "setup-club-heading" },
    h("h3", { id: "setup-club-heading" }, "Connect to the club database"),
    h(
      "p",
      { class: "muted", id: "setup-pooler-help" },
      "A club with many branches gives desks its connection pooler's host and port (PgBouncer, or Supabase's pooler on port 6543); the desk works through it. The club's administrator applies database updates over a direct connection, never through the pooler.",
    ),
    h(
      "div",
      { class: "grid-2" },
      ...FIELDS.map((f) => field(f.key, h("input", { type: f.type ?? "text", value: f.value }), f.label)),
      field("tls", tls, "TLS mode"),
      caField,
      field("branch_id", branch, "Branch"),
    ),
    h("div", { class: "actions" }, test, save),
    status,
  );
  const syncCa = () => caField.classList.toggle("hidden", !needsCaFile(tls.value));
  tls.addEventListener("change", syncCa);
  syncCa();

  const values = (): SetupValues =>
    Object.fromEntries(Object.entries(inputs).map(([k, el]) => [k, el.value])) as unknown as SetupValues;
  const check = () => {
    const { settings, errors } = readSetup(values());
    for (const key of Object.keys(errorsEl) as (keyof SetupValues)[]) {
      errorsEl[key].textContent = errors[key] ?? "";
      inputs[key].toggleAttribute("aria-invalid", Boolean(errors[key]));
    }
    const first = (Object.keys(errors) as (keyof SetupValues)[])[0];
    if (first) inputs[first].focus();
    // The connection budget is set in desk.toml, not here: keep what the saved settings have.
    const budget = options.saved ? { max_connections: options.saved.max_connections, idle_release_seconds: options.saved.idle_release_seconds } : {};
    return settings && { ...settings, ...budget };
  };
  const busy = async (button: HTMLButtonElement, label: string, work: () => Promise<void>) => {
    const text = button.textContent;
    for (const b of [test, save, demo]) b.disabled = true;
    button.textContent = label;
    status.classList.remove("is-error");
    status.textContent = "";
    try {
      await work();
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add("is-error");
    } finally {
      for (const b of [test, save, demo]) b.disabled = false;
      button.textContent = text;
      status.scrollIntoView?.({ block: "nearest" }); // the result line sits below the fold at 768 px
    }
  };

  test.addEventListener("click", () => {
    const settings = check();
    if (!settings) return;
    void busy(test, "Testing…", async () => {
      const result = await options.api.testClubConnection(settings, inputs.password.value);
      const chosen = branch.value;
      branch.replaceChildren(
        h("option", { value: "" }, "The desk role's own branch"),
        ...result.branches.map((b: Branch) => h("option", { value: b.id, selected: b.id === chosen }, `${b.name} (${b.code})`)),
      );
      status.textContent = `Connected as ${result.desk_role}: ${counted(result.branches.length, "branch", "branches")} visible.`;
    });
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const settings = check();
    if (!settings) return;
    void busy(save, "Saving…", async () => {
      const saved = await options.api.saveClubConnection(settings, inputs.password.value);
      options.onDone(
        saved.info,
        saved.password_kept === "memory_only"
          ? "No keyring here: the password is kept in memory only and asked for at the next start."
          : undefined,
      );
    });
  });
  const useDemo = () => void busy(demo, "Opening the demo database…", async () => options.onDone(await options.api.useDemoDatabase()));
  // A desk set up for the club asks before it leaves it: staff are signed out, and bookings made
  // on the demo database are not the club's.
  const leaveClub = h(
    "div",
    { class: "notice hidden", role: "alert", "data-testid": "leave-club" },
    h("p", {}, "Switch this desk to the demo database? Staff are signed out, and bookings made there are not the club's. Coming back means entering the club connection and its password again."),
  );
  const leaveYes = h("button", { type: "button", class: "primary inline", "data-testid": "leave-club-yes" }, "Switch to the demo database");
  const leaveNo = h("button", { type: "button", class: "secondary", "data-testid": "leave-club-no" }, "Keep the club database");
  leaveClub.append(h("div", { class: "actions" }, leaveYes, leaveNo));
  leaveYes.addEventListener("click", () => {
    leaveClub.classList.add("hidden");
    useDemo();
  });
  leaveNo.addEventListener("click", () => {
    leaveClub.classList.add("hidden");
    demo.focus();
  });
  demo.addEventListener("click", () => {
    if (!options.saved) return useDemo();
    leaveClub.classList.remove("hidden");
    leaveNo.focus();
  });

  const saved = options.saved;
  if (saved) {
    for (const key of ["host", "port", "database", "desk_role", "tls"] as const) inputs[key].value = String(saved[key]);
    inputs.ca_file.value = saved.ca_file ?? "";
    if (saved.branch_id) {
      const known = options.branches?.find((b) => b.id === saved.branch_id);
      branch.append(h("option", { value: saved.branch_id }, known ? `${known.name} (${known.code})` : "The saved branch"));
      branch.value = saved.branch_id;
    }
    syncCa();
  }

  const cancel = options.onCancel ? h("button", { type: "button", class: "secondary", "data-testid": "setup-cancel" }, "Cancel") : null;
  cancel?.addEventListener("click", () => options.onCancel?.());

  const card = h(
    "section",
    { class: "card card-wide setup", "aria-labelledby": "setup-heading" },
    h("h2", { id: "setup-heading" }, "Set up this desk"),
    h("p", { class: "muted" }, "Try Branch Desk on the built-in demo club, or connect this desk to your club's database."),
    demo,
    leaveClub,
    h("hr"),
    form,
    cancel,
    options.about ? h("p", { class: "muted about", "data-testid": "about" }, options.about) : null,
  );
  main.replaceChildren(card);
  // Opened later from the app: nothing changes on a stray Enter, and the screen stays at its top.
  (cancel ?? demo).focus({ preventScroll: true });
  return card;
}
