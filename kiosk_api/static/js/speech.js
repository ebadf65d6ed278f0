// Read-aloud: the browser's own Chinese voice when it has one, otherwise the server's engine
// (POST /api/tts, played through Web Audio, which the pages' Content-Security-Policy allows).
// A Linux kiosk's chromium usually has no voice at all: getVoices() is empty there.

const VOICE_WAIT_MS = 800;  // voices load asynchronously; do not wait longer than this for them
const DIGIT_GAP_S = 0.35;   // pause between digits read back one by one
const PIECE_CHARS = 160;    // longest piece of text sent to the server at once (its limit is higher)

// Sentence-sized pieces of at most PIECE_CHARS characters.
function pieces(text) {
  const sentences = text.match(/[^。！？；\n]+[。！？；]?/g) || [];
  const out = [];
  for (const sentence of sentences.map((x) => x.trim()).filter(Boolean)) {
    for (let i = 0; i < sentence.length; i += PIECE_CHARS) {
      const part = sentence.slice(i, i + PIECE_CHARS);
      const lastPiece = out[out.length - 1];
      if (lastPiece && lastPiece.length + part.length <= PIECE_CHARS) out[out.length - 1] = lastPiece + part;
      else out.push(part);
    }
  }
  return out;
}

function chineseVoice() {
  if (!("speechSynthesis" in window)) return null;
  return speechSynthesis.getVoices().find((v) => /^(zh|cmn)([-_]|$)/i.test(v.lang)) || null;
}

async function waitForVoice() {
  if (!("speechSynthesis" in window)) return null;
  const found = chineseVoice();
  if (found || speechSynthesis.getVoices().length) return found;
  await new Promise((resolve) => {
    const timer = setTimeout(resolve, VOICE_WAIT_MS);
    speechSynthesis.addEventListener("voiceschanged", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
  return chineseVoice();
}

export class Speaker {
  constructor({ onState } = {}) {
    this.voice = undefined;   // undefined: not looked up yet; null: none, use the server
    this.context = null;
    this.sources = [];
    this.generation = 0;      // a newer request (or cancel) makes older ones stop quietly
    this.digitClips = new Map();
    this.onState = onState || (() => {});
    this.muted = false;       // true while a PIN or code is typed: nothing may be spoken then
  }

  async engine() {
    if (this.voice === undefined) this.voice = await waitForVoice();
    return this.voice ? "browser" : "server";
  }

  cancel() {
    this.generation += 1;
    if ("speechSynthesis" in window) speechSynthesis.cancel();
    for (const source of this.sources) {
      try { source.stop(); } catch { /* already stopped */ }
    }
    this.sources = [];
    this.onState("idle");
  }

  async speak(text) {
    if (this.muted || !text || !text.trim()) return;
    this.cancel();
    const generation = this.generation;
    if ((await this.engine()) === "browser") {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = this.voice.lang;
      try {
        utterance.voice = this.voice;
      } catch {
        /* not a SpeechSynthesisVoice (a stand-in): the language alone picks the voice */
      }
      utterance.rate = 0.9;
      utterance.onend = () => this.onState("idle");
      this.onState("speaking", "browser");
      speechSynthesis.speak(utterance);
      return;
    }
    // Long answers go in sentence-sized pieces: the first is heard sooner, and each stays under the
    // server's length limit. Each piece is scheduled right after the one before it.
    let at = 0;
    for (const piece of pieces(text)) {
      const buffer = await this.fetchAudio(piece);
      if (!buffer || generation !== this.generation || this.muted) return;
      at = this.play([buffer], 0, at);
    }
  }

  // A card number read back digit by digit ("6、2、1、7…"), only when the patient asks for it.
  async speakDigits(digits) {
    if (this.muted || !digits) return;
    this.cancel();
    const generation = this.generation;
    if ((await this.engine()) === "browser") {
      return this.speak([...digits].join("，"));
    }
    // Each digit is its own short, cacheable request: the whole number never travels as one text.
    const clips = [];
    for (const d of digits) {
      if (!this.digitClips.has(d)) this.digitClips.set(d, await this.fetchAudio(d));
      clips.push(this.digitClips.get(d));
    }
    if (generation === this.generation && !this.muted && clips.every(Boolean)) this.play(clips, DIGIT_GAP_S);
  }

  async fetchAudio(text) {
    if (!this.sources.length) this.onState("loading", "server");
    try {
      const resp = await fetch("/api/tts", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }),
      });
      if (!resp.ok) throw new Error(`tts ${resp.status}`);
      const bytes = await resp.arrayBuffer();
      this.context ||= new AudioContext();
      if (this.context.state === "suspended") await this.context.resume().catch(() => {});
      return await this.context.decodeAudioData(bytes);
    } catch (err) {
      this.onState("error", String(err));
      return null;
    }
  }

  // Schedule buffers after `after` (a context time; 0 = now), returns when the last one ends.
  play(buffers, gap, after = 0) {
    const ctx = this.context;
    let at = Math.max(ctx.currentTime + 0.05, after);
    const sources = buffers.map((buffer) => {
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(ctx.destination);
      source.start(at);
      at += buffer.duration + gap;
      return source;
    });
    const last = sources[sources.length - 1];
    this.sources.push(...sources);
    this.onState("speaking", "server");
    last.onended = () => { if (this.sources[this.sources.length - 1] === last) this.onState("idle"); };
    return at;
  }
}
