// The page's calls to the sandbox backend (see ../API.md). Every error becomes one line of text.

let viewer = null;

/** Set who the page acts as (a member id). */
export function setViewer(id) {
  viewer = id;
}

/** Who the page acts as. */
export function getViewer() {
  return viewer;
}

/** An error whose message is one line for the person. */
export class ApiError extends Error {}

/** Path with ?as=<viewer> and extra query parameters. */
function url(path, params = {}) {
  const q = new URLSearchParams();
  if (viewer) q.set("as", viewer);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/** Fetch JSON; turn HTTP errors and network failures into an ApiError with one line. */
async function call(method, path, { params, body, form } = {}) {
  let res;
  try {
    res = await fetch(url(path, params), {
      method,
      headers: body !== undefined ? { "Content-Type": "application/json" } : undefined,
      body: form || (body !== undefined ? JSON.stringify(body) : undefined),
    });
  } catch {
    throw new ApiError("The sandbox cannot be reached; is `climabot sandbox` still running?");
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    const text = data && typeof data.error === "string" ? data.error : `${res.status} ${res.statusText}`;
    throw new ApiError(text.split("\n")[0]);
  }
  return data ?? {};
}

export const api = {
  guild: () => call("GET", "/api/guild"),
  members: () => call("GET", "/api/members"),
  channels: () => call("GET", "/api/channels"),
  messages: (channelId, limit = 100) => call("GET", `/api/channels/${channelId}/messages`, { params: { limit } }),
  commands: (channelId) => call("GET", "/api/commands", { params: { channel_id: channelId } }),
  runCommand: (channelId, command, options) =>
    call("POST", "/api/commands/run", { params: { wait: 1 }, body: { channel_id: channelId, command, options } }),
  autocomplete: (channelId, command, options, focused, value) =>
    call("POST", "/api/commands/autocomplete", { body: { channel_id: channelId, command, options, focused, value } }),
  click: (messageId, customId) =>
    call("POST", `/api/messages/${messageId}/click`, { params: { wait: 1 }, body: { custom_id: customId } }),
  select: (messageId, customId, values) =>
    call("POST", `/api/messages/${messageId}/select`, { params: { wait: 1 }, body: { custom_id: customId, values } }),
  modals: () => call("GET", "/api/modals"),
  submitModal: (interactionId, values) =>
    call("POST", `/api/modals/${interactionId}/submit`, { params: { wait: 1 }, body: { values } }),
  dismissModal: (interactionId) => call("POST", `/api/modals/${interactionId}/dismiss`, { body: {} }),
  send: (channelId, content, attachments = []) =>
    call("POST", `/api/channels/${channelId}/messages`, { body: { content, attachments } }),
  newPost: (forumId, title, content, tags = [], attachments = []) =>
    call("POST", `/api/channels/${forumId}/threads`, { body: { title, content, tags, attachments } }),
  upload: (file) => {
    const form = new FormData();
    form.append("file", file, file.name);
    return call("POST", "/api/uploads", { form });
  },
  interaction: (id) => call("GET", `/api/interactions/${id}`, { params: { wait: 1 } }),
  events: () => call("GET", "/api/events"),
  interest: (eventId, interested) => call("POST", `/api/events/${eventId}/interest`, { body: { interested } }),
};

/** One line saying how an interaction ended badly, or null when it went fine. */
export function interactionProblem(interaction) {
  if (!interaction) return null;
  if (interaction.status === "failed") return interaction.error || "The application did not respond.";
  if (interaction.error) return String(interaction.error).split("\n")[0];
  return null;
}

/** Open the live websocket; onChange(version) on each change; reconnects with backoff. */
export function live(onChange, onState) {
  let delay = 500;
  let stopped = false;
  const open = () => {
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(`${proto}//${location.host}/api/live`);
    ws.onopen = () => {
      delay = 500;
      onState?.(true);
    };
    ws.onmessage = (e) => {
      try {
        const data = JSON.parse(e.data);
        if (data.type === "changed" || data.type === "hello") onChange(data.version, data.type);
      } catch {
        /* a malformed frame is ignored; the next one refreshes */
      }
    };
    ws.onclose = () => {
      onState?.(false);
      if (stopped) return;
      setTimeout(open, delay);
      delay = Math.min(delay * 2, 5000);
    };
  };
  open();
  return () => {
    stopped = true;
  };
}
