// The one module that talks to the Rust shell. Every screen calls `api.*`, never the generated
// client (`bindings.ts`, from the Rust commands by tauri-specta) or `invoke` itself, and every
// failure arrives as an `ApiError` with the shell's `{ code, message, field? }` shape.
import { commands, type BookingRequest, type ErrorCode } from "./bindings";
export type { AppInfo, Connection, DatabaseMode } from "./bindings";

/** What the concierge drawer confirms: the shell fills in `staff_id` with the signed-in staff member. */
export type NewBooking = Omit<BookingRequest, "staff_id">;

/** An error from a command: `code` is stable for logic, `message` is written for staff. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(code: ErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.field = field;
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
    const { code, message, field } = raw as { code: ErrorCode; message: string; field?: unknown };
    return new ApiError(code, message, typeof field === "string" ? field : null);
  }
  // Tauri itself rejects with a plain string (unknown command, bad arguments); outside the
  // app window there is no IPC at all. Neither is the staff member's fault.
  const detail = raw instanceof Error ? raw.message : String(raw);
  console.error("command failed outside the { code, message } shape:", detail);
  return new ApiError("internal", "Something went wrong. Please try again.");
}

/** The words to show for any thrown value. */
export function errorText(raw: unknown): string {
  return raw instanceof ApiError ? raw.message : toApiError(raw).message;
}

export type Commands = typeof commands;

/** The API over the generated client; tests pass a fake one. */
export function createApi(c: Commands = commands) {
  async function call<T>(pending: () => Promise<T>): Promise<T> {
    try {
      return await pending();
    } catch (raw) {
      throw toApiError(raw);
    }
  }

  return {
    appInfo: () => call(() => c.appInfo()),
    reconnect: () => call(() => c.reconnect()),
    useDemoDatabase: () => call(() => c.useDemoDatabase()),
    testClubConnection: (...a: Parameters<Commands["testClubConnection"]>) => call(() => c.testClubConnection(...a)),
    saveClubConnection: (...a: Parameters<Commands["saveClubConnection"]>) => call(() => c.saveClubConnection(...a)),
    providePassword: (password: string) => call(() => c.providePassword(password)),
    signIn: (email: string, pin: string) => call(() => c.signIn(email, pin)),
    signOut: () => call(() => c.signOut()),
    listDeskStaff: () => call(() => c.listDeskStaff()),
    searchMembers: (query: string) => call(() => c.searchMembers(query)),
    memberPanel: (memberId: string) => call(() => c.getMemberPanel(memberId)),
    weekSchedule: (start: string) => call(() => c.weekSchedule(start)),
    upcomingClasses: (...a: Parameters<Commands["upcomingClasses"]>) => call(() => c.upcomingClasses(...a)),
    // The shell records the signed-in staff member whatever is sent.
    createBooking: (booking: NewBooking) => call(() => c.createBooking({ ...booking, staff_id: null })),
    cancelBooking: (...a: Parameters<Commands["cancelBooking"]>) => call(() => c.cancelBooking(...a)),
    setAttendance: (...a: Parameters<Commands["setAttendance"]>) => call(() => c.setAttendance(...a)),
    listBookings: (...a: Parameters<Commands["listBookings"]>) => call(() => c.listBookings(...a)),
    countBookings: (...a: Parameters<Commands["countBookings"]>) => call(() => c.countBookings(...a)),
    exportBookingsCsv: (...a: Parameters<Commands["exportBookingsCsv"]>) => call(() => c.exportBookingsCsv(...a)),
  };
}

export type Api = ReturnType<typeof createApi>;

export const api: Api = createApi();
