// The microphone's AudioWorklet: whatever rate the device runs at, it hands the page 16 kHz mono
// 16-bit PCM in 20 ms blocks (320 samples), the format /v1/voice takes (docs/voice.md).
// Resampling averages the input samples that fall in each output sample's span: a box filter,
// which keeps most aliasing out of speech at a tiny cost. `sampleRate` is the worklet's global.

const RATE = 16000;
const BLOCK = 320;

class MicProcessor extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / RATE; // input samples per output sample
    this.phase = 0;
    this.sum = 0;
    this.count = 0;
    this.block = new Int16Array(BLOCK);
    this.filled = 0;
    this.energy = 0;
  }

  emit(value) {
    const clipped = Math.max(-1, Math.min(1, value));
    this.block[this.filled++] = clipped < 0 ? clipped * 0x8000 : clipped * 0x7fff;
    this.energy += clipped * clipped;
    if (this.filled === BLOCK) {
      const level = Math.sqrt(this.energy / BLOCK);
      this.port.postMessage({ pcm: this.block.buffer, level }, [this.block.buffer]);
      this.block = new Int16Array(BLOCK);
      this.filled = 0;
      this.energy = 0;
    }
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (!channel) return true;
    for (let i = 0; i < channel.length; i++) {
      if (this.step <= 1) {
        // a device slower than 16 kHz: repeat samples (never seen on phones or laptops)
        for (this.phase += 1 / this.step; this.phase >= 1; this.phase -= 1) this.emit(channel[i]);
        continue;
      }
      this.sum += channel[i];
      this.count += 1;
      this.phase += 1;
      if (this.phase >= this.step) {
        this.phase -= this.step;
        this.emit(this.sum / this.count);
        this.sum = 0;
        this.count = 0;
      }
    }
    return true;
  }
}

registerProcessor("os1-mic", MicProcessor);
