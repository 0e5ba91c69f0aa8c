#!/usr/bin/env python3
"""Google's YAMNet (Apache-2.0; MobileNetV1 on AudioSet, 521 classes), rebuilt in PyTorch from the
weights in its TensorFlow Lite flatbuffer, so it can run (and be trained on) inside our graphs.

The flatbuffer is read with Debian's python3-flatbuffers at the level of its tables, by the field
numbers of the published TFLite schema (Model.subgraphs/buffers/operator_codes, SubGraph.tensors/
operators, Tensor.shape/buffer/quantization, Operator.inputs/builtin_options): no generated
schema module is needed. The network's operators are read in execution order, so the layout comes
from the file itself: each CONV_2D and DEPTHWISE_CONV_2D with its weights (int8 with one scale per
output channel, or float32), float32 bias, stride and fused activation, then the mean over the
patch and the 521-way classifier. The front end uses the file's own constants too: its 400-point
window, its 64 x 257 mel matrix (int8, per band) and its log offset (0.001), on the published
framing (25 ms frames, 10 ms hop, 512-point FFT magnitude, 96-frame patches every 48 frames).

Our pipeline's windows are pre-emphasised; with `pre_emphasised` the filter is undone per FFT bin in
the mel matrix, so the network sees the spectrum it was trained on (a test checks the two agree).
TFLite's SAME padding is asymmetric for stride 2 (nothing before, the rest after); it is kept.
The STFT is a fixed convolution, so the graph exports to ONNX and quantizes.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F
from flatbuffers import number_types as N
from flatbuffers import encode
from flatbuffers.table import Table

CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED = 3, 4, 9
PATCH, PATCH_HOP = 96, 48  # log-mel frames per patch, and between patches


class _Flat:
    """Just enough of the TFLite schema to read tables, vectors and scalars by field number."""

    def __init__(self, data):
        self.data = bytearray(data)

    def root(self):
        return Table(self.data, encode.Get(N.UOffsetTFlags.packer_type, self.data, 0))

    @staticmethod
    def _field(t, slot):
        return t.Offset(4 + 2 * slot)

    def tables(self, t, slot):
        o = self._field(t, slot)
        if not o:
            return []
        start = t.Vector(o)
        return [Table(t.Bytes, t.Indirect(start + 4 * i)) for i in range(t.VectorLen(o))]

    def table(self, t, slot):
        o = self._field(t, slot)
        return Table(t.Bytes, t.Indirect(o + t.Pos)) if o else None

    def array(self, t, slot, dtype):
        o = self._field(t, slot)
        if not o:
            return np.array([], dtype=dtype)
        start, n = t.Vector(o), t.VectorLen(o)
        size = np.dtype(dtype).itemsize
        return np.frombuffer(bytes(t.Bytes[start:start + n * size]), dtype=dtype)

    def scalar(self, t, slot, flags, default=0):
        o = self._field(t, slot)
        return t.Get(flags, o + t.Pos) if o else default


class TfliteModel:
    """The tensors and operators of a TFLite file's first subgraph."""

    def __init__(self, path):
        with open(path, "rb") as f:
            self.flat = _Flat(f.read())
        fb = self.flat
        model = fb.root()
        self.buffers = fb.tables(model, 4)
        codes = fb.tables(model, 1)
        graph = fb.tables(model, 2)[0]
        self.tensors = fb.tables(graph, 0)
        self.ops = []
        for op in fb.tables(graph, 3):
            code = codes[fb.scalar(op, 0, N.Uint32Flags)]
            builtin = max(fb.scalar(code, 0, N.Int8Flags), fb.scalar(code, 3, N.Int32Flags))
            self.ops.append((builtin, fb.array(op, 1, "<i4").tolist(), fb.array(op, 2, "<i4").tolist(),
                             fb.table(op, 4)))

    def tensor(self, index):
        """The constant tensor `index` as float32, dequantized when int8 (one scale per quantized dimension)."""
        fb, t = self.flat, self.tensors[index]
        shape = fb.array(t, 0, "<i4").tolist()
        kind = fb.scalar(t, 1, N.Int8Flags)
        raw = bytes(fb.array(self.buffers[fb.scalar(t, 2, N.Uint32Flags)], 0, "u1"))
        if kind == 0:  # FLOAT32
            return np.frombuffer(raw, dtype="<f4").reshape(shape).copy()
        if kind != 9:  # INT8
            raise ValueError(f"tensor {index}: type {kind} is not float32 or int8")
        q = fb.table(t, 4)
        scale = fb.array(q, 2, "<f4")
        axis = fb.scalar(q, 6, N.Int32Flags)
        values = np.frombuffer(raw, dtype=np.int8).reshape(shape).astype(np.float32)
        bshape = [1] * len(shape)
        bshape[axis] = len(scale)
        return values * scale.reshape(bshape)

    def options(self, op, slots):
        """Bytes/ints of an operator's builtin options: (padding, stride_w, stride_h, ...)."""
        table = op[3]
        return [self.flat.scalar(table, s, N.Int32Flags if f == "i" else N.Int8Flags) for s, f in slots]


class Yamnet(torch.nn.Module):
    """YAMNet on log-mel patches [B, 1, 96, 64]: `embed` gives the 1024-d patch embeddings, `forward`
    the 521 AudioSet class scores (sigmoid)."""

    def __init__(self, path, pre_emphasised=False):
        super().__init__()
        model = TfliteModel(path)
        self.layers = torch.nn.ModuleList()
        self.strides = []
        classifier = None
        for op in model.ops:
            builtin, inputs = op[0], op[1]
            if builtin == CONV_2D:
                _, stride_w, stride_h, activation = model.options(op, [(0, "b"), (1, "i"), (2, "i"), (3, "b")])
                w = model.tensor(inputs[1]).transpose(0, 3, 1, 2)  # [out, kh, kw, in] -> [out, in, kh, kw]
                self._add(w, model.tensor(inputs[2]), 1, (stride_h, stride_w), activation)
            elif builtin == DEPTHWISE_CONV_2D:
                _, stride_w, stride_h, _, activation = model.options(op, [(0, "b"), (1, "i"), (2, "i"), (3, "i"), (4, "b")])
                w = model.tensor(inputs[1]).transpose(3, 0, 1, 2)  # [1, kh, kw, ch] -> [ch, 1, kh, kw]
                self._add(w, model.tensor(inputs[2]), w.shape[0], (stride_h, stride_w), activation)
            elif builtin == FULLY_CONNECTED and self.layers:
                classifier = (model.tensor(inputs[1]), model.tensor(inputs[2]))
            elif builtin == FULLY_CONNECTED:  # the front end's mel matrix, log offset in its bias
                self.register_buffer("mel", torch.from_numpy(model.tensor(inputs[1]).T.copy()))  # [257, 64]
                self.log_offset = float(model.tensor(inputs[2])[0])
        if pre_emphasised:
            # the pipeline feeds pre-emphasised audio (0.97); YAMNet heard the signal itself: undo the
            # filter per FFT bin, 1 / |1 - 0.97 e^-jw|, folded into the mel matrix
            w = 2 * math.pi * torch.arange(257, dtype=torch.float64) / 512
            emphasis = (1 - 0.97 * torch.exp(-1j * w)).abs()
            self.mel = (self.mel.double() / emphasis[:, None]).float()
        weight, bias = classifier
        self.classifier = torch.nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            self.classifier.weight.copy_(torch.from_numpy(weight))
            self.classifier.bias.copy_(torch.from_numpy(bias))
        window = torch.from_numpy(model.tensor(self._window_index(model)))  # the file's 400-point window
        n = torch.arange(512, dtype=torch.float64)
        k = torch.arange(257, dtype=torch.float64)[:, None]
        angle = 2 * math.pi * k * n[: len(window)] / 512
        kernels = torch.cat([window.double() * torch.cos(angle), -window.double() * torch.sin(angle)]).float()
        self.register_buffer("dft", kernels[:, None, :])  # [514, 1, 400]
        self.eval()

    @staticmethod
    def _window_index(model):
        for i, t in enumerate(model.tensors):
            if model.flat.array(t, 0, "<i4").tolist() == [400] and model.flat.scalar(t, 1, N.Int8Flags) == 0:
                return i
        raise ValueError("no 400-point window in the file")

    def _add(self, w, b, groups, stride, activation):
        conv = torch.nn.Conv2d(w.shape[1] * groups, w.shape[0], w.shape[2:], stride, groups=groups)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(np.ascontiguousarray(w)))
            conv.bias.copy_(torch.from_numpy(b))
        if activation not in (0, 1):
            raise ValueError(f"fused activation {activation} is not NONE or RELU")
        self.layers.append(conv)
        self.strides.append((stride, activation == 1))

    def log_mel(self, waveform):
        """[B, samples] at 16 kHz -> log-mel frames [B, frames, 64] and a mask of frames holding signal."""
        spec = F.conv1d(waveform.unsqueeze(1), self.dft, stride=160)  # 25 ms frames, 10 ms hop
        power = spec[:, :257] ** 2 + spec[:, 257:] ** 2
        mask = (power.sum(dim=1) > 1e-8).float()  # 0 on the pipeline's zero padding
        magnitude = torch.sqrt(power + 1e-12)
        return torch.log(torch.matmul(magnitude.transpose(1, 2), self.mel) + self.log_offset), mask

    def embed(self, patches):
        x = patches
        for conv, ((sh, sw), relu) in zip(self.layers, self.strides):
            kh, kw = conv.kernel_size
            ph = max((math.ceil(x.shape[2] / sh) - 1) * sh + kh - x.shape[2], 0)
            pw = max((math.ceil(x.shape[3] / sw) - 1) * sw + kw - x.shape[3], 0)
            x = conv(F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2)))
            if relu:
                x = torch.relu(x)
        return x.mean(dim=(2, 3))

    def forward(self, patches):
        return torch.sigmoid(self.classifier(self.embed(patches)))

    @staticmethod
    def patches(logmel, mask):
        """Log-mel frames [B, T, 64] -> patches [B * P, 1, 96, 64] and a patch mask [B, P] (a patch
        counts if its centre frame holds signal)."""
        b, t, m = logmel.shape
        count = max(1, 1 + (t - PATCH) // PATCH_HOP)
        starts = [i * PATCH_HOP for i in range(count)]
        p = torch.stack([logmel[:, s:s + PATCH] for s in starts], dim=1)  # [B, P, 96, 64]
        centre = torch.tensor([min(s + PATCH // 2, t - 1) for s in starts])
        return p.reshape(b * count, 1, PATCH, m), mask[:, centre]
