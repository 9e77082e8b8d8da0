// Pure logic of the sandbox page (no browser): Discord markdown, timestamps, command parsing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linkTo, localTarget, parse, parseInline, plainText } from "../../sandbox/web/static/markdown.js";
import { formatTimestamp, relative } from "../../sandbox/web/static/timestamps.js";
import { convertOption, flattenCommands, matchCommands, parseCommandLine } from "../../sandbox/web/static/commandlogic.js";

const types = (nodes) => nodes.map((n) => n.type);

test("inline styles nest as in Discord", () => {
  const [p] = parse("***both*** __u__ ~~s~~ ||hidden|| `a*b*c`");
  assert.deepEqual(types(p.children), ["strong", "text", "underline", "text", "strike", "text", "spoiler", "text", "code"]);
  assert.equal(p.children[0].children[0].type, "em");
  assert.equal(p.children[8].text, "a*b*c");
});

test("underscores inside words stay text; escapes are literal", () => {
  assert.deepEqual(parseInline("snake_case_name"), [{ type: "text", text: "snake_case_name" }]);
  assert.deepEqual(parseInline("\\*not italic\\*"), [{ type: "text", text: "*not italic*" }]);
});

test("masked links, bare links and suppressed links", () => {
  const nodes = parseInline("[the **call**](https://ec.europa.eu/x_(y)) and https://a.eu/b. <https://c.eu>");
  assert.equal(nodes[0].type, "link");
  assert.equal(nodes[0].url, "https://ec.europa.eu/x_(y)");
  assert.equal(plainText(nodes[0].children), "the call");
  assert.equal(nodes[2].url, "https://a.eu/b");
  assert.equal(nodes[4].url, "https://c.eu");
  // Only http(s) becomes a link.
  assert.equal(parseInline("[x](javascript:alert(1))")[0].type, "text");
});

test("mentions, timestamps, slash commands and @everyone", () => {
  const nodes = parseInline("<@1> <@!2> <@&3> <#4> <t:1700000000:R> <t:1700000000> </poll create:9> @everyone");
  const kinds = nodes.filter((n) => n.type !== "text");
  assert.deepEqual(types(kinds), ["user", "user", "role", "channel", "timestamp", "timestamp", "slash", "everyone"]);
  assert.equal(kinds[4].style, "R");
  assert.equal(kinds[5].style, "f");
  assert.equal(kinds[6].name, "poll create");
});

test("blocks: headers, subtext, lists, quotes and code blocks", () => {
  const blocks = parse("# Title\n-# small\n- a\n  - a1\n1. one\n> q1\n> q2\n```py\nx = 1\n```\nend");
  assert.deepEqual(types(blocks), ["heading", "subtext", "list", "list", "blockquote", "codeblock", "paragraph"]);
  assert.equal(blocks[2].items[0].sublist.items.length, 1);
  assert.equal(blocks[3].ordered, true);
  assert.deepEqual(blocks[5], { type: "codeblock", lang: "py", text: "x = 1" });
  assert.equal(plainText(blocks[4].children), "q1\nq2");
  assert.equal(types(parse(">>> all\nof it"))[0], "blockquote");
  assert.equal(types(parse("#no space"))[0], "paragraph");
});

test("HTML stays text", () => {
  assert.deepEqual(parse("<img src=x onerror=alert(1)>"), [{ type: "paragraph", children: [{ type: "text", text: "<img src=x onerror=alert(1)>" }] }]);
});

test("timestamps in every style, in the viewer's zone", () => {
  const o = { timeZone: "Europe/Brussels", locale: "en-GB", now: 1700000000000 + 3600e3 };
  const got = Object.fromEntries([..."tTdDfFR"].map((s) => [s, formatTimestamp(1700000000, s, o)]));
  assert.deepEqual(got, {
    t: "23:13", T: "23:13:20", d: "14/11/2023", D: "14 November 2023",
    f: "14 November 2023 at 23:13", F: "Tuesday, 14 November 2023 at 23:13", R: "1 hour ago",
  });
  assert.equal(formatTimestamp(1700000000, "t", { ...o, timeZone: "America/New_York" }), "17:13");
  assert.equal(relative(Date.UTC(2026, 0, 1, 0, 5), Date.UTC(2026, 0, 1), "en"), "in 5 minutes");
});

const COMMANDS = [
  { name: "poll", description: "Polls", options: [
    { type: 1, name: "create", description: "Post a poll", options: [
      { type: 5, name: "multiple" }, { type: 3, name: "question", required: true, max_length: 300 },
      { type: 3, name: "options", required: true }] },
    { type: 1, name: "close", description: "Close", options: [{ type: 4, name: "poll_id", required: true, min_value: 1 }] }] },
  { name: "insights", description: "Report", options: [{ type: 4, name: "days", choices: [{ name: "Week", value: 7 }, { name: "Month", value: 30 }] }] },
];

test("commands flatten to paths with required options first", () => {
  const flat = flattenCommands(COMMANDS);
  assert.deepEqual(flat.map((c) => c.path), ["insights", "poll close", "poll create"]);
  assert.deepEqual(flat[2].options.map((o) => o.name), ["question", "options", "multiple"]);
  assert.deepEqual(matchCommands(flat, "cre").map((c) => c.path), ["poll create"]);
  assert.deepEqual(matchCommands(flat, "poll").map((c) => c.path), ["poll close", "poll create"]);
});

test("a typed line gives the command and its option values", () => {
  const flat = flattenCommands(COMMANDS);
  const parsed = parseCommandLine("/poll create question: Energy or mobility? options: Energy; Mobility multiple: true", flat);
  assert.equal(parsed.command.path, "poll create");
  assert.deepEqual(parsed.values, { question: "Energy or mobility?", options: "Energy; Mobility", multiple: "true" });
  assert.equal(parseCommandLine("/nothing here", flat), null);
});

test("option values are checked and converted with one-line reasons", () => {
  const [insights, close, create] = flattenCommands(COMMANDS);
  assert.deepEqual(convertOption(create.options[0], ""), { error: "question: this option is required." });
  assert.match(convertOption(create.options[0], "x".repeat(301)).error, /at most 300 characters/);
  assert.deepEqual(convertOption(close.options[0], "12"), { value: 12 });
  assert.deepEqual(convertOption(close.options[0], "0"), { error: "poll_id: at least 1." });
  assert.deepEqual(convertOption(close.options[0], "1.5"), { error: "poll_id: type a whole number." });
  assert.deepEqual(convertOption(create.options[2], "True"), { value: true });
  assert.deepEqual(convertOption(insights.options[0], "month"), { value: 30 });
  assert.match(convertOption(insights.options[0], "year").error, /pick one of Week, Month/);
});

test("descriptions and choice names follow the member's locale; names stay English", () => {
  const cmds = [{ name: "insights", description: "Report", description_localizations: { de: "Bericht" }, options: [
    { type: 4, name: "days", description: "Days", description_localizations: { de: "Tage" },
      choices: [{ name: "Week", value: 7, name_localizations: { de: "Woche" } }] }] }];
  const [de] = flattenCommands(cmds, "de");
  assert.equal(de.description, "Bericht");
  assert.equal(de.options[0].name, "days");
  assert.equal(de.options[0].description, "Tage");
  assert.equal(de.options[0].choices[0].name, "Woche");
  assert.equal(flattenCommands(cmds, "fr")[0].description, "Report");
  assert.deepEqual(convertOption(de.options[0], "Woche"), { value: 7 });
});

test("links to the demo server's channels and events stay in the page; other links open a new tab", () => {
  const g = "111";
  assert.equal(localTarget("https://discord.com/channels/111/222", g), "222");
  assert.equal(localTarget("https://discord.com/channels/111/222/333", g), "222");
  assert.equal(localTarget("https://ptb.discord.com/channels/111/222/", g), "222");
  assert.equal(localTarget("https://discord.com/events/111/444", g), "events");
  assert.equal(localTarget("https://discord.com/events/999/444", g), null); // another server
  assert.equal(localTarget("https://discord.com/channels/111/222", null), null);
  assert.equal(localTarget("https://discord.com/invite/abc", g), null);
  assert.equal(localTarget("https://discord.com.evil.eu/channels/111/222", g), null);
  assert.equal(localTarget("https://ec.europa.eu/channels/111/222", g), null);

  const fakeA = () => ({ dataset: {}, handlers: {}, addEventListener(type, f) { this.handlers[type] = f; } });
  const opened = [];
  const ctx = { guildId: g, onChannel: (id) => opened.push(id), channel: (id) => (id === "222" ? { name: "exchange" } : null) };
  const event = fakeA();
  linkTo(event, "https://discord.com/events/111/444", ctx);
  assert.equal(event.href, "#events");
  assert.equal(event.target, undefined);
  let prevented = false;
  event.handlers.click({ preventDefault: () => { prevented = true; } });
  assert.ok(prevented);
  const channel = linkTo(fakeA(), "https://discord.com/channels/111/222/333", ctx);
  assert.equal(channel.href, "#channel-222");
  assert.equal(channel.title, "#exchange");
  channel.handlers.click({ preventDefault() {} });
  assert.deepEqual(opened, ["events", "222"]);

  const outside = linkTo(fakeA(), "https://ec.europa.eu/x", ctx);
  assert.equal(outside.href, "https://ec.europa.eu/x");
  assert.equal(outside.target, "_blank");
  assert.equal(outside.rel, "noopener noreferrer");
  assert.equal(outside.handlers.click, undefined);
  // Another server's event is outside too.
  assert.equal(linkTo(fakeA(), "https://discord.com/events/999/444", ctx).target, "_blank");
});
