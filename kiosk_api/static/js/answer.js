// What a patient sees of an answer, on every front end: the short answer first, the rest behind
// "查看详细内容", the source once (from answer_meta's citations, expandable), the help sentence once,
// and never the match score (that is for staff). The bot's text may still carry a "来源：…（匹配度 …）" line
// from older answer texts; it is dropped here because the citation already shows the source.

const SOURCE_LINE = /^\s*(来源|出处)[:：]/;
const SCORE = /[（(]\s*匹配度\s*\d+(\.\d+)?\s*%\s*[)）]/g;
// Longer than this, the answer shows its first paragraph and keeps the rest one tap away.
const SHORT_CHARS = 140;
const LEAD_MIN_CHARS = 60;

export function patientLines(text) {
  return String(text || "")
    .split("\n")
    .filter((line) => !SOURCE_LINE.test(line))
    .map((line) => line.replace(SCORE, "").trimEnd())
    .filter((line) => line.trim());
}

// {lead, more}: the lines to show at once and the lines behind "查看详细内容".
export function splitAnswer(text) {
  const lines = patientLines(text);
  if (lines.join("").length <= SHORT_CHARS || lines.length < 2) return { lead: lines, more: [] };
  // Whole lines until the lead says something: a title line ("【…指引】…：", "身份核验通过。") alone does not.
  const lead = [];
  while (lead.length < lines.length && lead.join("").length < LEAD_MIN_CHARS) lead.push(lines[lead.length]);
  return { lead, more: lines.slice(lead.length) };
}

// What read-aloud says: the answer's own words, no source line, no score, no help sentence twice.
export function speakableText(reply) {
  return reply.messages.map((m) => patientLines(m.text).join("\n")).filter(Boolean).join("\n");
}

// The help sentence is shown on its own only when no bubble of the answer already says it.
export function needsHelpLine(reply) {
  if (!(reply.fallback || reply.handoff) || !reply.human_help) return false;
  return !reply.messages.some((m) => (m.text || "").includes(reply.human_help));
}
