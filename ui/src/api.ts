// The one module that talks to the Rust shell. Every screen calls `api.*`, never `invoke` itself,
// and every failure arrives as an `ApiError` with the shell's `{ code, message }` shape.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";

export type DatabaseMode = "demo" | "club";

/** Mirrors `commands::app::AppInfo` in src-tauri. */
export interface AppInfo {
  name: string;
  version: string;
  mode: DatabaseMode;
}

/** An error from a command: `code` is stable for logic, `message` is written for staff. */
export class ApiError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = "ApiError";
    this.code = code;
  }
}

/** Turns whatever `invoke` rejected with into an `ApiError`. */
export function toApiError(raw: unknown): ApiError {
  if (raw instanceof ApiError) return raw;
  if (
    typeof raw === "object" &&
    raw !== null &&
    typeof (raw as { code?: unknown }).code === "string" &&
    typeof (raw as { message?: unknown }).message === "string"
  ) {
    const { code, message } = raw as { code: string; message: string };
    return new ApiError(code, message);
  }
  // Tauri itself rejects with a plain string (unknown command, bad arguments); outside the
  // app window there is no IPC at all. Neither is the staff member's fault.
  const detail = raw instanceof Error ? raw.message : String(raw);
  console.error("command failed outside the { code, message } shape:", detail);
  return new ApiError("internal", "Something went wrong. Please try again.");
}

export type Invoke = <T>(command: string, args?: Record<string, unknown>) => Promise<T>;

/** Builds the API over an `invoke` function; tests pass a fake one. */
export function createApi(invoke: Invoke) {
  async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(command, args);
    } catch (raw) {
      throw toApiError(raw);
    }
  }

  return {
    appInfo: () => call<AppInfo>("app_info"),
  };
}

export type Api = ReturnType<typeof createApi>;

export const api: Api = createApi(tauriInvoke);
