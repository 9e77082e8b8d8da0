// Discord timestamps <t:unix:style>, shown in the viewer's own time zone and locale.
// Pure functions (no DOM), so node --test can check them.

export const STYLES = ["t", "T", "d", "D", "f", "F", "R"];

const FORMATS = {
  t: { hour: "numeric", minute: "2-digit" },
  T: { hour: "numeric", minute: "2-digit", second: "2-digit" },
  d: { year: "numeric", month: "2-digit", day: "2-digit" },
  D: { year: "numeric", month: "long", day: "numeric" },
  f: { year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit" },
  F: { weekday: "long", year: "numeric", month: "long", day: "numeric", hour: "numeric", minute: "2-digit" },
};

// Largest unit first: [unit, seconds in it, switch to it from this many seconds].
const UNITS = [
  ["year", 365 * 86400, 320 * 86400],
  ["month", 30 * 86400, 26 * 86400],
  ["day", 86400, 22 * 3600],
  ["hour", 3600, 45 * 60],
  ["minute", 60, 45],
  ["second", 1, 0],
];

/** Relative wording ("in 5 minutes", "3 days ago") of `ms` seen at `nowMs`. */
export function relative(ms, nowMs, locale) {
  const diff = Math.round((ms - nowMs) / 1000);
  const abs = Math.abs(diff);
  const fmt = new Intl.RelativeTimeFormat(locale, { numeric: "always" });
  for (const [unit, size, from] of UNITS) {
    if (abs >= from) return fmt.format(Math.round(diff / size), unit);
  }
  return fmt.format(diff, "second");
}

/**
 * Text of a Discord timestamp: unix seconds, style (t T d D f F R; default f), options
 * {now (ms), locale, timeZone} (default: the viewer's own).
 */
export function formatTimestamp(unix, style, options = {}) {
  const ms = Number(unix) * 1000;
  const chosen = STYLES.includes(style) ? style : "f";
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return String(unix);
  if (chosen === "R") return relative(ms, options.now ?? Date.now(), options.locale);
  const fmt = new Intl.DateTimeFormat(options.locale, { ...FORMATS[chosen], timeZone: options.timeZone });
  return fmt.format(new Date(ms));
}

/** The tooltip Discord shows on any timestamp: the full date and time. */
export function fullTitle(unix, options = {}) {
  return formatTimestamp(unix, "F", options);
}

/** Short clock text for a message header: "Today at 14:05" or a date and time. */
export function messageTime(ms, options = {}) {
  const now = new Date(options.now ?? Date.now());
  const date = new Date(ms);
  const zone = { timeZone: options.timeZone };
  const day = (d) => new Intl.DateTimeFormat("en-CA", { ...zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
  const time = new Intl.DateTimeFormat(options.locale, { ...zone, hour: "numeric", minute: "2-digit" }).format(date);
  if (day(date) === day(now)) return `Today at ${time}`;
  if (day(date) === day(new Date(now.getTime() - 86400000))) return `Yesterday at ${time}`;
  const dateText = new Intl.DateTimeFormat(options.locale, { ...zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
  return `${dateText} ${time}`;
}
