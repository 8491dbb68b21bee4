// Entry point: draw the frame, ask the shell who we are, show the first screen.
import "./styles.css";
import { api, ApiError, type AppInfo } from "./api";
import { renderShell } from "./shell";
import { renderSignIn } from "./screens/sign-in";

async function start(root: HTMLElement): Promise<void> {
  let info: AppInfo | null = null;
  try {
    info = await api.appInfo();
  } catch (error) {
    console.error("app_info failed", error);
  }
  const main = renderShell(root, info);
  renderSignIn(main, {
    // Placeholder until the core has staff accounts: say so rather than pretend.
    onSubmit: async () => {
      throw new ApiError("unavailable", "Sign-in is not connected to the database yet.");
    },
  });
}

const root = document.getElementById("app");
if (root) void start(root);
