#!/usr/bin/env python3
"""Channel augmentation for training: the microphones, rooms, phone lines and codecs that users'
voice notes pass through and the training corpora (studio recordings) do not.

Each call draws, from its seeded generator, a chain of:
- reverberation (p 0.3): a synthetic room response, exponentially decaying noise with RT60 0.15
  to 0.7 s behind the direct sound;
- random equalisation (p 0.5): three peaking filters, 150 Hz to 6 kHz, -8 to +8 dB;
- telephone band (p 0.2): 300 to 3400 Hz;
- a phone codec round trip (p 0.4, when FFmpeg is available): Opus at 8 to 16 kbit/s, AMR-NB at
  12.2 kbit/s (through 8 kHz) or AAC-LC at 24 to 32 kbit/s, with the FFmpeg program that ships in
  the project's own FFmpeg natives (org.bytedeco:ffmpeg, from the local Maven repository);
- background noise (p 0.6) at 0 to 30 dB SNR: pink or brown noise, or mains hum with harmonics.

The windows it gets are the pipeline's preprocessed ones (pre-emphasised, peak-normalised), so
the pre-emphasis is undone first and done again after the channel, and the result is
peak-normalised to 0.95 as the pipeline would.
"""
import glob
import math
import os
import subprocess
import tempfile
import zipfile

import numpy as np
import torch
import torchaudio.functional as AF

RATE = 16000


def bundled_ffmpeg(cache=os.path.join(tempfile.gettempdir(), "ser-ffmpeg")):
    """The ffmpeg program of org.bytedeco:ffmpeg (linux-x86_64) from the local Maven repository,
    unpacked once into `cache`; None when the jar is not there (the codec step is then skipped)."""
    program = os.path.join(cache, "ffmpeg")
    if os.path.exists(program):
        return program
    jars = sorted(glob.glob(os.path.expanduser("~/.m2/repository/org/bytedeco/ffmpeg/*/ffmpeg-*-linux-x86_64.jar")))
    if not jars:
        return None
    os.makedirs(cache, exist_ok=True)
    with zipfile.ZipFile(jars[-1]) as z:
        for name in z.namelist():
            base = os.path.basename(name)
            if base and (base == "ffmpeg" or ".so" in base):
                with open(os.path.join(cache, base + ".tmp"), "wb") as f:
                    f.write(z.read(name))
                os.replace(os.path.join(cache, base + ".tmp"), os.path.join(cache, base))
    os.chmod(program, 0o755)
    return program


MAX_CODEC_SLACK = RATE // 4  # samples a decoded stream may differ from its input by


def codec_round_trip(ffmpeg, x, codec, bitrate):
    """x (float, 16 kHz) encoded with `codec` at `bitrate` and decoded back to 16 kHz, same length."""
    pcm = (x.clamp(-1, 1) * 32767).to(torch.int16).numpy().tobytes()
    encode = {"opus": ["-c:a", "libopus", "-b:a", bitrate, "-f", "ogg"],
              "amr": ["-ar", "8000", "-c:a", "libopencore_amrnb", "-b:a", bitrate, "-f", "amr"],
              "aac": ["-c:a", "aac", "-b:a", bitrate, "-f", "adts"],
              # the held-out channel's codecs (HeldOutChannel), never in training
              "mp3": ["-c:a", "libmp3lame", "-b:a", bitrate, "-f", "mp3"],
              "amr-wb": ["-c:a", "libvo_amrwbenc", "-b:a", bitrate, "-f", "amr"],
              "speex": ["-c:a", "libspeex", "-f", "ogg"]}[codec]
    # FFmpeg's native Speex decoder returns wideband Ogg Speex twice as long as it is (a 2.2 s window
    # came back 4.5 s long); libspeex's own decoder returns it at its length
    decoder = ["-c:a", "libspeex"] if codec == "speex" else []
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.dirname(ffmpeg))
    raw = ["-f", "s16le", "-ar", str(RATE), "-ac", "1"]
    coded = subprocess.run([ffmpeg, "-v", "error", *raw, "-i", "pipe:", *encode, "pipe:"], input=pcm,
                           capture_output=True, env=env, check=True).stdout
    decoded = subprocess.run([ffmpeg, "-v", "error", *decoder, "-i", "pipe:", *raw, "pipe:"], input=coded,
                             capture_output=True, env=env, check=True).stdout
    y = torch.from_numpy(np.frombuffer(decoded, dtype=np.int16).astype(np.float32) / 32767)
    # a codec adds a frame or two of delay and padding, never more: anything else is a broken round trip
    # (it would be cut to length below and pass unnoticed)
    if abs(len(y) - len(x)) > MAX_CODEC_SLACK:
        raise RuntimeError(f"{codec} round trip gave {len(y)} samples for {len(x)}")
    # AAC in ADTS keeps its encoder priming (1024 samples at the coded rate): align by correlation
    lag = best_lag(x, y, 2048)
    y = y[lag:]
    return torch.nn.functional.pad(y, (0, max(0, len(x) - len(y))))[: len(x)]


def best_lag(x, y, max_lag):
    n = min(len(x), len(y) - max_lag, RATE * 2)
    if n <= 0:
        return 0
    scores = [float(torch.dot(x[:n], y[k:k + n])) for k in range(0, max_lag + 1, 1)]
    return int(np.argmax(scores))


def natural(x):
    """A preprocessed window with its pre-emphasis undone, at peak 0.5: the sound a channel acts on."""
    y = AF.lfilter(x[None].double(), torch.tensor([1.0, -0.97], dtype=torch.float64),
                   torch.tensor([1.0, 0.0], dtype=torch.float64), clamp=False)[0].float()
    return y / y.abs().max().clamp(min=1e-6) * 0.5


def as_the_pipeline_feeds(y):
    """Pre-emphasis 0.97 and peak 0.95 again, as the pipeline preprocesses a window."""
    y = torch.cat([y[:1], y[1:] - 0.97 * y[:-1]])
    return y / y.abs().max().clamp(min=1e-6) * 0.95


class ChannelAugment:
    def __init__(self, generator, ffmpeg=None):
        self.g = generator
        self.ffmpeg = ffmpeg

    def uniform(self, lo, hi):
        return lo + (hi - lo) * torch.rand((), generator=self.g).item()

    def chance(self, p):
        return torch.rand((), generator=self.g).item() < p

    def __call__(self, x):
        n = len(x)
        if n < 400:
            return x
        y = natural(x)
        if self.chance(0.3):
            y = self.reverb(y)
        if self.chance(0.5):
            for _ in range(3):
                centre = math.exp(self.uniform(math.log(150), math.log(6000)))
                y = AF.equalizer_biquad(y, RATE, centre, self.uniform(-8, 8), self.uniform(0.5, 2.0))
        if self.chance(0.2):
            for _ in range(2):
                y = AF.lowpass_biquad(AF.highpass_biquad(y, RATE, 300.0), RATE, 3400.0)
        if self.ffmpeg and self.chance(0.4):
            codec = ["opus", "amr", "aac"][int(torch.randint(0, 3, (), generator=self.g))]
            rate = {"opus": f"{int(self.uniform(8, 16))}k", "amr": "12.2k", "aac": f"{int(self.uniform(24, 32))}k"}[codec]
            y = codec_round_trip(self.ffmpeg, y / y.abs().max().clamp(min=1e-6) * 0.9, codec, rate)
        if self.chance(0.6):
            y = self.noise(y, self.uniform(0, 30))
        return as_the_pipeline_feeds(y)

    def reverb(self, y):
        rt60 = self.uniform(0.15, 0.7)
        length = int(min(0.8, rt60) * RATE)
        t = torch.arange(length) / RATE
        rir = torch.randn(length, generator=self.g) * torch.exp(-6.9 * t / rt60) * 0.3
        rir[0] = 1.0
        size = len(y) + length - 1
        wet = torch.fft.irfft(torch.fft.rfft(y, size) * torch.fft.rfft(rir, size), size)[: len(y)]
        return wet / wet.abs().max().clamp(min=1e-6) * y.abs().max()

    def noise(self, y, snr_db):
        kind = int(torch.randint(0, 3, (), generator=self.g))
        n = len(y)
        if kind == 2:  # mains hum, 50 or 60 Hz with decaying harmonics
            f0 = 50.0 if self.chance(0.5) else 60.0
            t = torch.arange(n) / RATE
            noise = sum(torch.sin(2 * math.pi * f0 * h * t + self.uniform(0, 6.28)) / h for h in range(1, 8))
        else:  # pink (1/f) or brown (1/f^2) noise, shaped in the frequency domain
            spectrum = torch.fft.rfft(torch.randn(n, generator=self.g))
            f = torch.arange(len(spectrum)).clamp(min=1).float()
            noise = torch.fft.irfft(spectrum / f ** (0.5 if kind == 0 else 1.0), n)
        speech = y.pow(2).mean().clamp(min=1e-10)
        noise = noise * torch.sqrt(speech / noise.pow(2).mean().clamp(min=1e-10) / 10 ** (snr_db / 10))
        return y + noise


class HeldOutChannel:
    """A channel family that no training variant uses, for measuring what augmented training buys
    beyond its own augmenter (`frozen_features.py --held-out-channel`, `loco.py --score-variant
    held-out-channel`). Every window gets all of: a small microphone's response (high-pass 150-350 Hz,
    a treble shelf of +3 to +8 dB at 3 kHz, low-pass 4.5-7 kHz); a phone's automatic gain control (a
    compressor on the 20 ms RMS envelope, threshold -30 to -20 dBFS, ratio 3 to 6); a codec the
    training never used (MP3 at 24-32 kbit/s, AMR-WB at 12.65 kbit/s or Speex); and babble of six
    other windows (`others(generator)` gives one) at 5 to 20 dB SNR. No pitch shift, no gain draw.
    Takes and gives the pipeline's preprocessed windows, as ChannelAugment does."""

    PARTS = ("microphone", "gain-control", "codec", "babble")

    def __init__(self, generator, ffmpeg, others, parts=PARTS):
        """`parts`: the components applied, all by default (fewer: what each one costs on its own)."""
        unknown = set(parts) - set(self.PARTS)
        if unknown:
            raise ValueError(f"unknown held-out channel parts {sorted(unknown)}; known: {', '.join(self.PARTS)}")
        self.g = generator
        self.ffmpeg = ffmpeg
        self.others = others
        self.parts = set(parts)

    def uniform(self, lo, hi):
        return lo + (hi - lo) * torch.rand((), generator=self.g).item()

    def __call__(self, x):
        n = len(x)
        if n < 400:
            return x
        y = natural(x)
        if "microphone" in self.parts:
            y = AF.highpass_biquad(y, RATE, self.uniform(150, 350), 0.5)
            y = AF.treble_biquad(y, RATE, self.uniform(3, 8), 3000.0)
            y = AF.lowpass_biquad(y, RATE, self.uniform(4500, 7000))
        if "gain-control" in self.parts:
            y = self.compress(y)
        y = y / y.abs().max().clamp(min=1e-6) * 0.9
        if "codec" in self.parts:
            codec = ["mp3", "amr-wb", "speex"][int(torch.randint(0, 3, (), generator=self.g))]
            mp3_rate = f"{int(self.uniform(24, 32))}k"  # drawn whatever the codec
            bitrate = {"mp3": mp3_rate, "amr-wb": "12.65k", "speex": ""}[codec]
            y = codec_round_trip(self.ffmpeg, y, codec, bitrate)
        if "babble" not in self.parts:
            return as_the_pipeline_feeds(y)
        babble = torch.zeros(n)
        for _ in range(6):
            o = self.others(self.g)
            off = int(torch.randint(0, len(o), (), generator=self.g))
            o = torch.cat([o[off:], o[:off]]).repeat(n // len(o) + 1)[:n]
            babble += o / o.pow(2).mean().sqrt().clamp(min=1e-6)
        snr_db = self.uniform(5, 20)
        y = y + babble * (y.pow(2).mean() / babble.pow(2).mean().clamp(min=1e-12) / 10 ** (snr_db / 10)).sqrt()
        return as_the_pipeline_feeds(y)

    def compress(self, y, hop=320):
        threshold, ratio = 10 ** (self.uniform(-30, -20) / 20), self.uniform(3, 6)
        n = len(y)
        frames = torch.nn.functional.pad(y, (0, (-n) % hop)).reshape(-1, hop)
        envelope = frames.pow(2).mean(1).sqrt().clamp(min=1e-6)
        gain = torch.where(envelope > threshold, (envelope / threshold) ** (1 / ratio - 1), torch.ones_like(envelope))
        gain = torch.nn.functional.interpolate(gain[None, None], size=frames.numel(), mode="linear",
                                               align_corners=False)[0, 0][:n]
        z = y * gain
        return z / z.abs().max().clamp(min=1e-6) * 0.7
