"""Writes what the recipe's PyTorch front end makes of one recording, for TrainingRecipeTest to
compare with the original ONNX graphs in ONNX Runtime:
  OUT/audio.f32       the waveform in [-1, 1]                     [samples]
  OUT/logmel.f32      OpenWakeWordMel's output                    [frames, 32]
  OUT/windows.f32     the first embedding windows of that log-mel [n, 76, 32]
  OUT/embeddings.f32  SpeechEmbedding on the whole log-mel        [n, 96]
  python3 model/tests/dump_front_end.py EMBEDDING_DIR AUDIO.wav OUT"""
import os
import sys

import numpy as np
import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import speech_embedding as se  # noqa: E402

directory, audio, out = sys.argv[1:4]
x, rate = torchaudio.load(audio)
assert rate == 16000, rate
x = x[:1]
front = se.SpeechEmbeddingFrontEnd(directory).eval()
with torch.no_grad():
    logmel, _ = front.mel(x)
    embeddings = front.embedding(logmel)[0]
n = min(8, embeddings.shape[0])
windows = torch.stack([logmel[0, 8 * j: 8 * j + 76] for j in range(n)])
os.makedirs(out, exist_ok=True)
for name, t in [("audio", x[0]), ("logmel", logmel[0]), ("windows", windows), ("embeddings", embeddings[:n])]:
    t.numpy().astype("<f4").tofile(os.path.join(out, name + ".f32"))
print(f"{x.shape[1]} samples, {logmel.shape[1]} frames, {n} embeddings")
