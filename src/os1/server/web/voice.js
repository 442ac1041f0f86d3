// Talking: the microphone goes through an AudioWorklet (mic-worklet.js) to /v1/voice as 16 kHz
// mono PCM16; os1's voice comes back in the same format, 20 ms blocks at the pace they should be
// played, and is scheduled back to back on Web Audio with a small cushion against jitter. JSON
// events say what was heard and said; on `paused` or `stopped` (the user spoke over os1) any
// audio still scheduled is dropped at once. See docs/voice.md.
//
// One tap on the mic while talking ends the conversation: os1's voice stops at once and the
// socket closes (the server keeps the reply as far as it was heard). While talking, what os1
// is doing is always shown: listening, thinking (it heard you and is answering), speaking.
//
// While the Play view shows a game, the socket is told so ({"type": "play", "on": true}): what
// is said for the game ("what should I do?", "take the lamp", "you go") goes to it, and its
// answer comes back as a `play` event for the Play log besides being spoken. Elsewhere, voice
// is ordinary conversation.

import { socketUrl } from "./api.js";

const RATE = 16000;
const CUSHION_S = 0.08;

export class Voice {
  /**
   * @param {{heard: (text: string) => void, say: (text: string, turn: number) => void,
   *          saved: (turn: number, interrupted: boolean) => void, notify: (line: string) => void,
   *          state: (name: string) => void, level: (value: number) => void,
   *          doing: (name: string) => void, play?: (event: object) => void}} hooks
   */
  constructor(hooks) {
    this.hooks = hooks;
    this.state = "idle"; // idle → starting → listening → finishing → idle
    this.ctx = null;
    this.ws = null;
    this.stream = null;
    this.node = null;
    this.next = 0;
    this.playing = new Set();
    this.played = 0; // blocks of os1's voice scheduled so far
    this.now = "idle"; // what os1 is doing: idle, listening, thinking, speaking
    this.table = false; // whether the Play view shows a game (voice then plays it)
  }

  /** The Play view shows a game (true) or not: the server routes game lines accordingly. */
  atTable(on) {
    this.table = Boolean(on);
    this.tellTable();
  }

  tellTable() {
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "play", on: this.table }));
  }

  doing(name) {
    if (this.now === name) return;
    this.now = name;
    this.hooks.doing(name);
  }

  get active() {
    return this.state !== "idle";
  }

  set(state) {
    this.state = state;
    this.hooks.state(state);
  }

  /** Start a spoken conversation; must be called from a click or key press (autoplay rules). */
  async start() {
    if (this.active) return;
    if (!navigator.mediaDevices || !window.AudioWorkletNode) {
      this.hooks.notify("This browser can't share its microphone with os1 (it needs https or localhost).");
      return;
    }
    this.set("starting");
    this.ctx = new AudioContext({ latencyHint: "interactive" });
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
      });
      await this.ctx.audioWorklet.addModule(new URL("mic-worklet.js", import.meta.url));
      await this.ctx.resume();
    } catch (error) {
      const denied = error && error.name === "NotAllowedError";
      this.hooks.notify(denied ? "I can't hear you: the microphone is not allowed." : "I can't reach the microphone.");
      this.teardown();
      return;
    }
    if (this.state !== "starting") return; // stopped while asking for the microphone
    this.connect();
  }

  async connect() {
    let url;
    try {
      url = await socketUrl("/v1/voice");
    } catch (error) {
      this.hooks.notify(error.message);
      this.teardown();
      return;
    }
    if (this.state !== "starting") return; // stopped while asking for the ticket
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.listen();
      if (this.table) this.tellTable();
    });
    ws.addEventListener("message", (event) => this.receive(event.data));
    ws.addEventListener("close", () => {
      if (ws !== this.ws) return;
      if (this.state === "starting") this.hooks.notify("I couldn't start listening. Please try again.");
      this.teardown(true);
    });
  }

  listen() {
    const source = this.ctx.createMediaStreamSource(this.stream);
    this.node = new AudioWorkletNode(this.ctx, "os1-mic", { numberOfInputs: 1, numberOfOutputs: 1 });
    this.node.port.onmessage = ({ data }) => {
      if (this.ws && this.ws.readyState === WebSocket.OPEN && this.state === "listening") this.ws.send(data.pcm);
      this.hooks.level(data.level);
    };
    source.connect(this.node);
    this.node.connect(this.ctx.destination); // writes silence; keeps the graph pulling
    this.set("listening");
    this.doing("listening");
  }

  /** End the conversation at once: os1's voice stops, the microphone and the socket close. */
  stop() {
    if (!this.active) return;
    const ws = this.ws;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "end" }));
    this.teardown();
  }

  receive(data) {
    if (data instanceof ArrayBuffer) {
      this.play(data);
      return;
    }
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    switch (event.type) {
      case "heard":
        this.hooks.heard(event.text || "");
        this.doing("thinking");
        break;
      case "say":
        this.hooks.say(event.text || "", event.turn);
        this.doing("speaking");
        break;
      case "saved":
        this.hooks.saved(event.turn, Boolean(event.interrupted));
        break;
      case "paused":
      case "stopped":
        this.drop();
        this.doing("listening");
        break;
      case "play":
        if (event.answer && this.hooks.play) this.hooks.play(event);
        break;
      case "error":
        this.hooks.notify(event.message || "Something went wrong with the voice.");
        break;
      default:
        break;
    }
  }

  play(buffer) {
    if (!this.ctx || this.ctx.state === "closed") return;
    const pcm = new Int16Array(buffer);
    if (!pcm.length) return;
    const audio = this.ctx.createBuffer(1, pcm.length, RATE);
    const samples = audio.getChannelData(0);
    for (let i = 0; i < pcm.length; i++) samples[i] = pcm[i] / 0x8000;
    const source = this.ctx.createBufferSource();
    source.buffer = audio;
    source.connect(this.ctx.destination);
    const now = this.ctx.currentTime;
    if (this.next < now) this.next = now + CUSHION_S; // after a gap, start with a cushion
    source.start(this.next);
    this.next += audio.duration;
    this.played += 1;
    this.playing.add(source);
    this.doing("speaking");
    source.addEventListener("ended", () => {
      this.playing.delete(source);
      if (!this.playing.size && this.state === "listening") this.doing("listening");
    });
  }

  /** Silence at once: everything scheduled is dropped. */
  drop() {
    for (const source of this.playing) {
      try {
        source.stop();
      } catch {
        // already ended
      }
    }
    this.playing.clear();
    this.next = 0;
  }

  releaseMic() {
    if (this.node) {
      this.node.port.onmessage = null;
      this.node.disconnect();
      this.node = null;
    }
    if (this.stream) for (const track of this.stream.getTracks()) track.stop();
    this.stream = null;
    this.hooks.level(0);
  }

  teardown(letPlay = false) {
    this.releaseMic();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close();
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx) {
      const left = letPlay ? Math.max(0, this.next - ctx.currentTime) : 0;
      if (!letPlay) this.drop();
      setTimeout(() => ctx.close().catch(() => {}), left * 1000 + 50);
    }
    this.playing.clear();
    this.next = 0;
    this.set("idle");
    this.doing("idle");
  }
}
