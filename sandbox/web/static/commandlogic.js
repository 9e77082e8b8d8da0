// Slash-command logic with no DOM: flatten synced commands, match what is typed, parse a typed
// line ("/poll create question: Which? options: a; b"), check and convert option values.

export const TYPE_NAMES = {
  3: "text", 4: "whole number", 5: "true or false", 6: "member", 7: "channel", 8: "role",
  9: "member or role", 10: "number", 11: "file",
};

/** A text in the member's Discord locale when the command has it (e.g. "de"), else the default. */
export function localized(obj, key, locale) {
  return (locale && obj[`${key}_localizations`]?.[locale]) || obj[key];
}

/** An option with its description and choice names in the member's locale (names stay English). */
function localOption(option, locale) {
  const out = { ...option, description: localized(option, "description", locale) };
  if (option.choices) out.choices = option.choices.map((c) => ({ ...c, name: localized(c, "name", locale) }));
  return out;
}

/**
 * Flatten commands into runnable paths: [{path, description, options}] (subcommands expanded),
 * described in `locale` when the bot localised them, as Discord shows them to that member.
 */
export function flattenCommands(commands, locale) {
  const out = [];
  const walk = (prefix, node) => {
    const subs = (node.options || []).filter((o) => o.type === 1 || o.type === 2);
    if (subs.length) {
      for (const s of subs) walk(`${prefix} ${s.name}`, s);
      return;
    }
    const options = (node.options || []).map((o) => localOption(o, locale));
    // Required options first (Discord requires that order; keep it stable otherwise).
    options.sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
    out.push({ path: prefix.trim(), description: localized(node, "description", locale) || "", options });
  };
  for (const c of commands || []) if ((c.type ?? 1) === 1) walk(c.name, c);
  out.sort((a, b) => a.path.localeCompare(b.path));
  return out;
}

/** Commands matching what follows "/": path prefix matches first, then word or substring matches. */
export function matchCommands(flat, query) {
  const q = query.trim().toLowerCase().replace(/\s+/g, " ");
  if (!q) return flat.slice();
  const starts = flat.filter((c) => c.path.startsWith(q));
  const words = flat.filter((c) => !c.path.startsWith(q) && c.path.split(" ").some((w) => w.startsWith(q)));
  const inside = flat.filter((c) => !starts.includes(c) && !words.includes(c) && c.path.includes(q));
  return [...starts, ...words, ...inside];
}

/**
 * Parse "/path name: value name: value" against the flat commands. Returns null when no command
 * path matches; else {command, values: {name: text}, rest} (rest: what follows the path).
 */
export function parseCommandLine(text, flat) {
  if (!text.startsWith("/")) return null;
  const body = text.slice(1);
  let best = null;
  for (const c of flat) {
    if (body === c.path || body.startsWith(c.path + " ")) {
      if (!best || c.path.length > best.path.length) best = c;
    }
  }
  if (!best) return null;
  const rest = body.slice(best.path.length);
  const values = {};
  const names = best.options.map((o) => o.name).sort((a, b) => b.length - a.length);
  if (names.length && rest.trim()) {
    const escaped = names.map((n) => n.replace(/[-]/g, "\\-"));
    const re = new RegExp(`(?:^|\\s)(${escaped.join("|")}):`, "g");
    const marks = [];
    for (let m; (m = re.exec(rest)); ) marks.push({ name: m[1], start: m.index, valueStart: re.lastIndex });
    marks.forEach((mark, i) => {
      const end = i + 1 < marks.length ? marks[i + 1].start : rest.length;
      values[mark.name] = rest.slice(mark.valueStart, end).trim();
    });
  }
  return { command: best, values, rest: rest.trim() };
}

/** Build the line for a command and values (the inverse of parseCommandLine; for the tour). */
export function commandLine(path, values = {}) {
  const parts = [`/${path}`];
  for (const [k, v] of Object.entries(values)) parts.push(`${k}: ${v}`);
  return parts.join(" ");
}

/**
 * Check and convert one option's raw value (text from a field, or a picked value).
 * Returns {value} (undefined value: left empty) or {error: one line}.
 */
export function convertOption(option, raw) {
  const empty = raw === undefined || raw === null || (typeof raw === "string" && raw.trim() === "");
  if (empty) return option.required ? { error: `${option.name}: this option is required.` } : { value: undefined };
  const name = option.name;
  if (option.choices?.length) return choiceCheck(option, typeof raw === "string" ? raw.trim() : raw);
  switch (option.type) {
    case 3: {
      const text = String(raw);
      if (option.min_length != null && text.length < option.min_length)
        return { error: `${name}: at least ${option.min_length} characters (now ${text.length}).` };
      if (option.max_length != null && text.length > option.max_length)
        return { error: `${name}: at most ${option.max_length} characters (now ${text.length}).` };
      if (text.length > 6000) return { error: `${name}: at most 6000 characters.` };
      return choiceCheck(option, text);
    }
    case 4:
    case 10: {
      const text = String(raw).trim().replace(",", ".");
      const num = Number(text);
      if (typeof raw !== "number" && !/^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text))
        return { error: `${name}: type a ${option.type === 4 ? "whole " : ""}number.` };
      if (option.type === 4 && !Number.isInteger(num)) return { error: `${name}: type a whole number.` };
      if (option.min_value != null && num < option.min_value) return { error: `${name}: at least ${option.min_value}.` };
      if (option.max_value != null && num > option.max_value) return { error: `${name}: at most ${option.max_value}.` };
      return choiceCheck(option, num);
    }
    case 5: {
      if (raw === true || raw === false) return { value: raw };
      const t = String(raw).trim().toLowerCase();
      if (["true", "yes", "1"].includes(t)) return { value: true };
      if (["false", "no", "0"].includes(t)) return { value: false };
      return { error: `${name}: choose True or False.` };
    }
    default:
      // Members, roles, channels and files are picked from lists: the value is an id.
      return { value: String(raw) };
  }
}

/** When the option has choices, the value must be one of them (a typed choice name counts). */
function choiceCheck(option, value) {
  if (!option.choices?.length) return { value };
  const found = option.choices.find((c) => c.value === value || String(c.value) === String(value))
    || option.choices.find((c) => c.name.toLowerCase() === String(value).toLowerCase());
  if (!found) return { error: `${option.name}: pick one of ${option.choices.map((c) => c.name).join(", ")}.` };
  return { value: found.value };
}
