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
