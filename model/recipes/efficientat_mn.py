#!/usr/bin/env python3
"""EfficientAT's mn04 audio tagger (Schmid et al., ICASSP 2023; MIT), rebuilt from its published
facts so its pretrained AudioSet weights load by name and run inside our ONNX graphs.

Facts taken from the published model (layer layout, block table, front end), code our own:
- MobileNetV3 blocks at width 0.4 (channels rounded to multiples of 8), squeeze-and-excitation
  over channels only (ReLU, then sigmoid, squeeze to a quarter rounded to 8), batch norm
  eps 1e-3, a 1x1 convolution to 6x the last block's width (384 channels) at the end, and an
  MLP classifier 384 -> 512 -> 527 AudioSet classes;
- front end at 32 kHz: pre-emphasis 0.97, STFT n_fft 1024, Hann window of 800 (symmetric),
  hop 320, power, 128 Kaldi mel bands from 0 to 15 kHz, log(x + 1e-5), then (x + 4.5) / 5.

Our pipeline feeds 16 kHz, already pre-emphasised (0.97 at 16 kHz, which `LogMel16k` turns into
the published 0.97 at 32 kHz per frequency bin) and peak-normalised. `LogMel16k` gives the same
time-frequency grid from 16 kHz: n_fft 512, window 400, hop 160 are the same 32 ms,
25 ms and 10 ms, and bin k is the same frequency (31.25 Hz apart). A 32 kHz resampling of a
16 kHz signal has no energy above 8 kHz, so those bands are empty either way; its spectrum is
twice the 16 kHz one in amplitude (twice the samples under the window), hence + log 4. The
STFT is a fixed convolution so the graph exports to any opset and quantizes.
"""
import math

import torch
import torch.nn.functional as F
import torch.nn.utils.fusion
import torchaudio

# (input, kernel, expanded, output, squeeze-excite, hard-swish, stride) at width 1.0
BLOCKS = [
    (16, 3, 16, 16, False, False, 1), (16, 3, 64, 24, False, False, 2), (24, 3, 72, 24, False, False, 1),
    (24, 5, 72, 40, True, False, 2), (40, 5, 120, 40, True, False, 1), (40, 5, 120, 40, True, False, 1),
    (40, 3, 240, 80, False, True, 2), (80, 3, 200, 80, False, True, 1), (80, 3, 184, 80, False, True, 1),
    (80, 3, 184, 80, False, True, 1), (80, 3, 480, 112, True, True, 1), (112, 3, 672, 112, True, True, 1),
    (112, 5, 672, 160, True, True, 2), (160, 5, 960, 160, True, True, 1), (160, 5, 960, 160, True, True, 1),
]
WIDTH = 0.4
MELS = 128


def divisible(v, divisor=8):
    """MobileNet's channel rounding: nearest multiple of 8, never more than 10 % below v."""
    rounded = max(divisor, int(v + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * v else rounded


def conv_bn(cin, cout, kernel, stride=1, groups=1, act=None):
    layers = [torch.nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
              torch.nn.BatchNorm2d(cout, eps=0.001)]
    if act is not None:
        layers.append(act())
    return torch.nn.Sequential(*layers)


class SqueezeExcite(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        squeeze = divisible(channels // 4)
        self.fc1 = torch.nn.Linear(channels, squeeze)
        self.fc2 = torch.nn.Linear(squeeze, channels)

    def forward(self, x, mask=None):
        """`mask` [B, T] (1 where the step holds signal) restricts the squeeze to the signal; without
        it the squeeze averages the whole map, padding included, as the published model does."""
        if mask is None:
            squeezed = x.mean(dim=(2, 3))
        else:
            m = mask[:, None, None, :]
            squeezed = (x * m).sum(dim=(2, 3)) / (m.sum(dim=(2, 3)) * x.shape[2]).clamp(min=1.0)
        s = torch.sigmoid(self.fc2(torch.relu(self.fc1(squeezed))))
        return x * s[:, :, None, None]


class ChannelSqueezeExcite(torch.nn.Module):
    """The published model's container: a list of squeeze-excite layers (here the one over channels)."""

    def __init__(self, channels):
        super().__init__()
        self.conc_se_layers = torch.nn.ModuleList([SqueezeExcite(channels)])

    def forward(self, x, mask=None):
        return self.conc_se_layers[0](x, mask)


class InvertedResidual(torch.nn.Module):
    def __init__(self, cin, kernel, expanded, cout, se, hard_swish, stride):
        super().__init__()
        act = torch.nn.Hardswish if hard_swish else torch.nn.ReLU
        layers = []
        if expanded != cin:
            layers.append(conv_bn(cin, expanded, 1, act=act))
        layers.append(conv_bn(expanded, expanded, kernel, stride, groups=expanded, act=act))
        if se:
            layers.append(ChannelSqueezeExcite(expanded))
        layers.append(conv_bn(expanded, cout, 1))
        self.block = torch.nn.Sequential(*layers)
        self.residual = stride == 1 and cin == cout
        self.stride = stride

    def forward(self, x, mask=None):
        """`mask` [B, T] at the input's time steps: steps outside it are zeroed before the depthwise
        convolution (so it sees what it would see at the end of an unpadded input: zeros), and
        the squeeze averages over the steps inside it (see `SqueezeExcite`)."""
        if mask is None:
            y = self.block(x)
        else:
            y = x
            for m in self.block:
                if isinstance(m, ChannelSqueezeExcite):
                    y = m(y, signal_steps(mask, self.stride))
                else:
                    if m[0].groups > 1:  # the depthwise convolution, the only one reaching across steps
                        y = y * mask[:, None, None, :]
                    y = m(y)
        return x + y if self.residual else y


class MN04(torch.nn.Module):
    """The network on a normalised log-mel [batch, 1, 128, frames]. `forward` gives the AudioSet
    logits; `embed` the per-frame 384-channel map pooled over frequency, and the outputs of
    chosen blocks, for emotion heads."""

    def __init__(self):
        super().__init__()
        cfg = [(divisible(i * WIDTH), k, divisible(e * WIDTH), divisible(o * WIDTH), se, hs, s)
               for i, k, e, o, se, hs, s in BLOCKS]
        layers = [conv_bn(1, cfg[0][0], 3, 2, act=torch.nn.Hardswish)]
        layers += [InvertedResidual(*c) for c in cfg]
        last = cfg[-1][3]
        layers.append(conv_bn(last, 6 * last, 1, act=torch.nn.Hardswish))
        self.features = torch.nn.Sequential(*layers)
        self.classifier = torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(1),
                                              torch.nn.Linear(6 * last, 512), torch.nn.Hardswish(),
                                              torch.nn.Dropout(0.2), torch.nn.Linear(512, 527))

    def forward(self, mel):
        return self.classifier(self.features(mel))

    def taps(self, mel, layers, mask=None):
        """Outputs of the feature layers named by index, each mean-pooled over frequency: [B, C, T].
        With a frame `mask` [B, frames], every step outside it is zeroed before a convolution
        reaches across steps, and squeeze-and-excitation averages over the steps inside it, so
        the outputs over the signal do not depend on zero padding after it: the same as on the
        signal alone, up to float rounding."""
        out = []
        x = mel if mask is None else mel * mask[:, None, None, :]
        for i, layer in enumerate(self.features):
            if mask is not None and isinstance(layer, InvertedResidual):
                x = layer(x, mask)
                mask = signal_steps(mask, layer.stride)
            else:
                x = layer(x)
                if mask is not None and i == 0:
                    mask = signal_steps(mask, 2)  # the stride-2 stem
            if i in layers:
                out.append(x.mean(dim=2))
            if i >= max(layers):
                break
        return out


def signal_steps(mask, stride):
    """A step mask [B, T] brought to a convolution `stride` steps apart: a step counts if any of its
    steps does. A stride-2 convolution with padding k // 2 gives ceil(T / 2) steps, as this does."""
    if stride == 1:
        return mask
    return F.max_pool1d(mask[:, None, :], stride, stride, ceil_mode=True)[:, 0]


def fuse_batch_norms(module):
    """Folds every batch norm into the convolution before it (eval mode), in place. The ONNX
    exporter does the same fold, so afterwards the graph's Conv weights are the modules' own,
    which is how the int8 quantizer (qdq.py) finds and calibrates them."""
    module.eval()
    for seq in module.modules():
        if isinstance(seq, torch.nn.Sequential) and len(seq) >= 2 and isinstance(seq[0], torch.nn.Conv2d) \
                and isinstance(seq[1], torch.nn.BatchNorm2d):
            seq[0] = torch.nn.utils.fusion.fuse_conv_bn_eval(seq[0], seq[1])
            seq[1] = torch.nn.Identity()
    return module


def load_pretrained(path):
    """MN04 with the published AudioSet weights (a PyTorch state_dict), in eval mode, frozen."""
    model = MN04()
    state = torch.load(path, map_location="cpu")
    model.load_state_dict(state, strict=True)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


class LogMel16k(torch.nn.Module):
    """mn04's log-mel front end on 16 kHz input that is already pre-emphasised (see the module
    docstring). Returns the normalised log-mel [B, 1, 128, frames] and a frame mask that is 0
    where the input holds only zeros (the padding after a short window). `padding_invariant`
    keeps the frames that reach past the signal's end (see `MN04.taps`)."""

    def __init__(self, padding_invariant=False):
        super().__init__()
        n_fft, win, self.hop = 512, 400, 160
        window = torch.hann_window(win, periodic=False, dtype=torch.float64)
        window = F.pad(window, ((n_fft - win) // 2, (n_fft - win) // 2))  # centred in n_fft, as torch.stft does
        bins = n_fft // 2 + 1
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64)[:, None]
        angle = 2 * math.pi * k * n / n_fft
        kernels = torch.cat([window * torch.cos(angle), -window * torch.sin(angle)]).float()[:, None, :]
        self.register_buffer("dft", kernels)
        # Kaldi mel banks of the 32 kHz model (1024-point FFT, 0 to 15 kHz), limited to the bins below 8 kHz
        banks, _ = torchaudio.compliance.kaldi.get_mel_banks(MELS, 1024, 32000.0, 0.0, 15000.0, 100.0, -500.0, 1.0)
        banks = F.pad(banks, (0, 1))[:, :bins]  # [mels, bins]
        # The pipeline pre-emphasised at 16 kHz; the published model pre-emphasises at 32 kHz, a
        # different filter at the same frequency. Both are linear, so the power spectrum is
        # corrected bin by bin: times |1 - 0.97 e^-jw32|^2 / |1 - 0.97 e^-jw16|^2.
        freq = torch.arange(bins, dtype=torch.float64) * 16000.0 / n_fft
        emphasis = lambda rate: (1 - 0.97 * torch.exp(-2j * math.pi * freq / rate)).abs() ** 2  # noqa: E731
        gain = emphasis(32000.0) / emphasis(16000.0)
        self.register_buffer("mel", (banks.T * gain[:, None]).contiguous().float())
        self.bins = bins
        # centred frames, as torch.stft: n_fft // 2 zeros each side. Padding-invariant: n_fft after,
        # so every frame that touches the signal exists whether or not the input was zero-padded
        # (frames of padding alone are masked out)
        self.pad = (n_fft // 2, n_fft if padding_invariant else n_fft // 2)

    def forward(self, waveform):
        x = F.pad(waveform.unsqueeze(1), self.pad)
        spec = F.conv1d(x, self.dft, stride=self.hop)
        power = spec[:, : self.bins] ** 2 + spec[:, self.bins:] ** 2  # [B, bins, T]
        mask = (power.sum(dim=1) > 1e-8).float()
        mel = torch.matmul(power.transpose(1, 2), self.mel).transpose(1, 2)  # [B, mels, T]
        logmel = (torch.log(mel * 4.0 + 1e-5) + 4.5) / 5.0
        return logmel.unsqueeze(1), mask
