#!/usr/bin/env python3
"""Emotion networks made of frozen, pooled features and a trained head: the same modules compute
the features for training (`frozen_features.py`) and run inside the exported ONNX graph, so the
model scores exactly what it was trained on.

  waveform (16 kHz, the pipeline's preprocessing, zero-padded)
    -> [log-mel and MFCC statistics | EfficientAT mn04 pooled taps]   frozen, masked to the signal
    -> standardisation (the training corpora's mean and spread)
    -> a linear layer (logistic regression), or a small MLP

Every statistic is a mean or standard deviation over the frames that hold signal, so zero padding
weighs nothing in them; mn04's squeeze-and-excitation sees the padding unless the modules are
built padding-invariant (`Mn04Stats`).
"""
import math

import torch
import torch.nn.functional as F
import torchaudio

import efficientat_mn

MN04_TAPS = (6, 12, 15, 16)
# the prosody front's columns in a logistic head: their L2 penalty divided by this squared (`loco.l2_penalty`).
# Nested leave-one-corpus-out on clean windows, mean UA: 0.579 without the front; with it 0.580 / 0.581 / 0.586 /
# 0.587 at weights 1 / 3 / 10 / 30 (the same head on the columns scaled by the weight, a scratch run; `loco.py
# --prosody-weight 10` gives 0.585). Not shipped: on the shipped recipe's augmented training it moved nothing
# (README, *Through other channels*).
PROSODY_WEIGHT = 10.0
TAP_STRIDES = (8, 16, 32, 32)  # log-mel frames per step at those layers (stride-2 stages so far)


def masked_stats(x, mask):
    """x [B, C, T], mask [B, T] -> mean and standard deviation over the masked frames [B, 2C]."""
    m = mask[:, None, :]
    n = m.sum(dim=2).clamp(min=1.0)
    mean = (x * m).sum(dim=2) / n
    std = torch.sqrt(((x - mean[..., None]) ** 2 * m).sum(dim=2) / n + 1e-6)
    return torch.cat([mean, std], dim=1)


class MelMfccStats(torch.nn.Module):
    """64-band log-mel (25 ms Hann frames every 10 ms, power, HTK mel 0-8 kHz) and 20 MFCCs
    (10 log10 of the mel power floored 80 dB below the window's loudest value, orthonormal
    DCT-II), each with its mean and standard deviation over frames: 168 values, the issue's
    first floor. The STFT is a fixed convolution (exports to any opset)."""

    def __init__(self, n_fft=400, hop=160, mels=64, mfcc=20, padding_invariant=False):
        super().__init__()
        self.tail = n_fft - 1 if padding_invariant else 0
        bins = n_fft // 2 + 1
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64)[:, None]
        window = torch.hann_window(n_fft, dtype=torch.float64)
        angle = 2 * math.pi * k * n / n_fft
        self.register_buffer("dft", torch.cat([window * torch.cos(angle), -window * torch.sin(angle)]).float()[:, None])
        self.register_buffer("mel", torchaudio.functional.melscale_fbanks(bins, 0.0, 8000.0, mels, 16000))  # [bins, mels]
        self.register_buffer("dct", torchaudio.functional.create_dct(mfcc, mels, "ortho"))  # [mels, mfcc]
        self.hop, self.bins = hop, bins

    def forward(self, waveform):
        # padding-invariant: n_fft - 1 zeros after, so every frame that touches the signal exists
        # with or without padding
        spec = F.conv1d(F.pad(waveform.unsqueeze(1), (0, self.tail)), self.dft, stride=self.hop)
        power = spec[:, : self.bins] ** 2 + spec[:, self.bins:] ** 2
        mel = torch.matmul(power.transpose(1, 2), self.mel).transpose(1, 2)  # [B, mels, T]
        mask = (mel.sum(dim=1) > 1e-8).float()
        db = 10.0 * torch.log10(mel.clamp(min=1e-10))
        db = torch.maximum(db, db.amax(dim=(1, 2), keepdim=True) - 80.0)
        mfcc = torch.matmul(db.transpose(1, 2), self.dct).transpose(1, 2)
        return torch.cat([masked_stats(torch.log(mel + 1e-6), mask), masked_stats(mfcc, mask)], dim=1)


class Mn04Stats(torch.nn.Module):
    """EfficientAT mn04 (frozen, AudioSet weights): the outputs of feature layers 6, 12, 15 and 16,
    each averaged over frequency, with their mean and standard deviation over the steps that
    hold signal: 1024 values. As published, squeeze-and-excitation averages over the whole map,
    zero padding included, so the features hold for windows zero-padded to 8 s only.
    `padding_invariant` makes it average over the signal's steps and zeroes the steps after the
    signal before every convolution across steps: the features are then the same with or without
    padding (to float rounding), and a model made of them takes windows unpadded (3.7/8 of the
    work on a 3.7 s clip). In the leave-one-corpus-out protocol that variant lost 2.5 points of
    mean UA (the model card's ablations), so the shipped model keeps the published squeeze."""

    def __init__(self, weights, padding_invariant=False):
        super().__init__()
        self.padding_invariant = padding_invariant
        self.front = efficientat_mn.LogMel16k(padding_invariant)
        self.net = efficientat_mn.load_pretrained(weights)
        self.net.classifier = torch.nn.Identity()  # not used: keeps the exported graph and the file small

    def forward(self, waveform):
        mel, mask = self.front(waveform)
        taps = self.net.taps(mel, MN04_TAPS, mask if self.padding_invariant else None)
        return torch.cat([masked_stats(t, efficientat_mn.signal_steps(mask, s)) for t, s in zip(taps, TAP_STRIDES)], dim=1)


class ProsodyStats(torch.nn.Module):
    """Prosody statistics of a window: pitch, voicing, loudness and rhythm, 12 values, the kind of
    descriptors eGeMAPS standardised for cross-corpus work (Eyben et al. 2016). Low-arousal
    emotions (sadness, neutral speech) differ mostly in them, and the spectral statistics and
    mn04's AudioSet features carry pitch only indirectly.

    Pitch: the signal low-passed at 1 kHz and decimated to 8 kHz, then the normalised
    cross-correlation of 40 ms frames every 10 ms at lags for 60-400 Hz; a frame's period is the
    shortest local peak within 0.9 of the best one (against octave errors), refined by a parabola.
    A frame is voiced when that peak reaches `voicing` and its energy is within `floor_db` of the
    window's loudest frame. Values: voiced share of the frames; mean, spread, mean step size and
    mean slope of log F0 over voiced frames; mean correlation of voiced frames (harmonicity);
    frame energy's mean, spread and mean step; voiced minus unvoiced energy; voiced onsets per
    second; mean voiced run in seconds. Frames past the signal hold zeros and are masked out,
    and the signal is padded by a whole frame and the longest lag, so the values are the same
    with or without the window's zero padding. Plain tensor operations (one product per lag):
    exports to ONNX like the other modules."""

    def __init__(self, f0_min=60.0, f0_max=400.0, voicing=0.6, floor_db=35.0, taps=63):
        super().__init__()
        n = torch.arange(taps, dtype=torch.float64) - (taps - 1) / 2
        cutoff = 1000.0 / 16000.0  # cycles per sample at 16 kHz
        h = 2 * cutoff * torch.special.sinc(2 * cutoff * n) * torch.hamming_window(taps, periodic=False, dtype=torch.float64)
        self.register_buffer("lowpass", (h / h.sum()).float()[None, None])
        self.rate, self.frame, self.hop = 8000, 320, 80
        self.lags = list(range(round(self.rate / f0_max), round(self.rate / f0_min) + 1))
        self.voicing, self.floor_db, self.half = voicing, floor_db, taps // 2

    def _pool(self, x):
        return F.avg_pool1d(x.unsqueeze(1), self.frame, self.hop).squeeze(1)  # [B, T]

    def forward(self, waveform):
        # the filter's tail after the signal is kept whole, so that padding adds only silent frames
        x = F.conv1d(F.pad(waveform.unsqueeze(1), (self.half, 3 * self.half + 2)), self.lowpass, stride=2).squeeze(1)
        longest = self.lags[-1]
        x = F.pad(x, (0, self.frame + longest))
        n = x.shape[1] - longest
        head = x[:, :n]
        e0 = self._pool(head * head)
        nccf = torch.stack([self._pool(head * x[:, k:k + n])
                            / torch.sqrt(e0 * self._pool(x[:, k:k + n] ** 2) + 1e-12) for k in self.lags], dim=1)  # [B, L, T]
        best = nccf.amax(dim=1, keepdim=True)
        inner = nccf[:, 1:-1]
        peak = (inner >= nccf[:, :-2]) & (inner >= nccf[:, 2:]) & (inner >= 0.9 * best)
        order = torch.arange(inner.shape[1], 0, -1, dtype=nccf.dtype, device=nccf.device)[None, :, None]
        i = torch.argmax(peak.to(nccf.dtype) * order, dim=1, keepdim=True) + 1  # [B, 1, T], the shortest such peak
        y0, y1, y2 = (torch.gather(nccf, 1, i + d).squeeze(1) for d in (-1, 0, 1))
        curvature = y0 - 2 * y1 + y2
        shift = torch.where(curvature < -1e-6, 0.5 * (y0 - y2) / torch.where(curvature < -1e-6, curvature, -torch.ones_like(curvature)),
                            torch.zeros_like(curvature)).clamp(-0.5, 0.5)
        lag = i.squeeze(1).to(nccf.dtype) + self.lags[0] + shift
        log_f0 = torch.log(self.rate / lag)

        db = 10.0 * torch.log10(e0 + 1e-12)
        signal = (e0 > 1e-10).to(nccf.dtype)
        loudest = (db * signal - 1e4 * (1 - signal)).amax(dim=1, keepdim=True)
        voiced = signal * (y1 >= self.voicing).to(nccf.dtype) * (db >= loudest - self.floor_db).to(nccf.dtype)
        unvoiced = signal - voiced
        pairs = voiced[:, 1:] * voiced[:, :-1]
        step = log_f0[:, 1:] - log_f0[:, :-1]
        pairs = pairs * (step.abs() < 0.3).to(nccf.dtype)  # octave jumps are tracking errors, not intonation
        onsets = voiced[:, 1:] * (1 - voiced[:, :-1])

        def mean(v, m):
            return (v * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)

        def spread(v, m):
            return torch.sqrt(mean((v - mean(v, m)[:, None]) ** 2, m) + 1e-6)

        frames = signal.sum(dim=1).clamp(min=1.0)
        seconds = frames * self.hop / self.rate
        return torch.stack([
            voiced.sum(dim=1) / frames,
            mean(log_f0, voiced), spread(log_f0, voiced), mean(step.abs(), pairs), mean(step, pairs),
            mean(y1, voiced),
            mean(db, signal), spread(db, signal), mean((db[:, 1:] - db[:, :-1]).abs(), signal[:, 1:] * signal[:, :-1]),
            mean(db, voiced) - mean(db, unvoiced),
            onsets.sum(dim=1) / seconds,
            voiced.sum(dim=1) * self.hop / self.rate / onsets.sum(dim=1).clamp(min=1.0),
        ], dim=1)


class Standardise(torch.nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32).clamp(min=1e-4))

    def forward(self, x):
        return (x - self.mean) / self.std


class PooledSerNet(torch.nn.Module):
    """Waveform in, logits out: the frozen feature modules, concatenated, then the trained head;
    `with_features` returns the concatenated features too (logits, features), for archive
    normalisation (`train_pooled.py --normalise archive`)."""

    def __init__(self, features, head, with_features=False):
        super().__init__()
        self.features = torch.nn.ModuleList(features)
        self.head = head
        self.with_features = with_features

    def forward(self, waveform):
        features = torch.cat([f(waveform) for f in self.features], dim=1)
        logits = self.head(features)
        return (logits, features) if self.with_features else logits

    def fuse_batch_norms(self):
        """Batch norms folded into their convolutions, as the exporter does (for the int8 quantizer)."""
        return efficientat_mn.fuse_batch_norms(self)
