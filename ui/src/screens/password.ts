// Asked at start when the desk's password is not in a keyring (kept in memory only).
import { errorText, type Api, type AppInfo } from "../api";
import { h } from "../dom";

export interface PasswordOptions {
  api: Pick<Api, "providePassword">;
  deskRole: string | null;
  onDone: (info: AppInfo) => void;
  onChangeSettings: () => void;
}

export function renderPassword(main: HTMLElement, options: PasswordOptions): HTMLFormElement {
  const input = h("input", { id: "desk-password", type: "password", autocomplete: "current-password" });
  const status = h("p", { class: "form-status", role: "status", "data-testid": "password-status" });
  const submit = h("button", { type: "submit", class: "primary" }, "Connect");
  const change = h("button", { type: "button", class: "link-button" }, "Change connection settings");
  change.addEventListener("click", options.onChangeSettings);
  const form = h(
    "form",
    { class: "card", novalidate: true, "aria-labelledby": "password-heading" },
    h("h2", { id: "password-heading" }, "Database password"),
    h(
      "p",
      { class: "muted" },
      `This desk keeps its password in memory only. Enter the password of the desk role${options.deskRole ? ` ${options.deskRole}` : ""}.`,
    ),
    h("label", { for: "desk-password" }, "Password"),
    input,
    submit,
    status,
    change,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("is-error");
    if (!input.value) {
      status.textContent = "Enter the password.";
      status.classList.add("is-error");
      return input.focus();
    }
    submit.disabled = true;
    submit.textContent = "Connecting…";
    status.textContent = "";
    try {
      options.onDone(await options.api.providePassword(input.value));
    } catch (e) {
      status.textContent = errorText(e);
      status.classList.add("is-error");
    } finally {
      submit.disabled = false;
      submit.textContent = "Connect";
    }
  });
  main.replaceChildren(form);
  input.focus();
  return form;
}
