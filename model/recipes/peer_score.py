#!/usr/bin/env python3
"""The peer a user would otherwise write: a plain Python loop that scores a folder of recordings
with Debian's PyTorch and torchaudio, for `ser benchmark --peer` to compare against.

  /usr/bin/python3 model/recipes/peer_score.py --model model/ser-default --mn04 MN04.pt FOLDER...

Each recording: torchaudio.load, mixed to mono, torchaudio's resampler to 16 kHz, the pipeline's
pre-emphasis and peak normalisation, cut into 8 s windows (zero-padded as the manifest says), the same
network in PyTorch, float32 (`pooled_ser.PooledSerNet`: mn04 from its published weights, the head
read from the model's ONNX file by name; the job runs the shipped int8 graph), window
probabilities averaged. Two worker processes, one thread
each (the machine's 2 cores). It does less than the job: no speech detection, no trimming, no
Parquet, no per-file error handling beyond skipping what fails to load. Prints one JSON line:
recordings, seconds of audio, wall seconds, and the rate.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time

import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pooled_ser  # noqa: E402

RATE = 16000
WINDOW = 8 * RATE
AUDIO = (".wav", ".flac", ".mp3", ".ogg", ".opus")
_model, _pad = None, True


def network(model_dir, mn04):
    """ser-default's network in PyTorch: frozen features, then the head (from model.json's
    archive_normalisation, on the training statistics: the work per window is the same whatever the
    statistics; else from model.onnx by name). Returns it and whether windows are zero-padded to
    8 s (as its manifest says)."""
    import onnx
    from onnx import numpy_helper

    with open(os.path.join(model_dir, "model.json")) as f:
        manifest = json.load(f)
    invariant = manifest.get("training", {}).get("padding_invariant", False)

    archive = manifest.get("archive_normalisation")
    if archive:
        weights = {"head.0.mean": torch.tensor(archive["training_mean"]), "head.0.std": torch.tensor(archive["training_std"]),
                   "head.1.weight": torch.tensor(archive["weights"]), "head.1.bias": torch.tensor(archive["bias"])}
    else:
        graph = onnx.load(os.path.join(model_dir, "model.onnx")).graph
        weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    if "head.1.weight" not in weights:
        raise ValueError(f"{model_dir} is not a pooled-feature model (no head.1.weight in model.onnx); "
                         "the peer rebuilds those only")
    linear = torch.nn.Linear(weights["head.1.weight"].shape[1], weights["head.1.weight"].shape[0])
    linear.weight.data, linear.bias.data = weights["head.1.weight"], weights["head.1.bias"]
    head = torch.nn.Sequential(pooled_ser.Standardise(weights["head.0.mean"], weights["head.0.std"]), linear)
    features = [pooled_ser.MelMfccStats(padding_invariant=invariant), pooled_ser.Mn04Stats(mn04, invariant)]
    return pooled_ser.PooledSerNet(features, head).eval(), manifest["padding"] == "zero_pad_to_window"


def init(model_dir, mn04):
    global _model, _pad
    torch.set_num_threads(1)
    _model, _pad = network(model_dir, mn04)


def fit(window):
    return torch.nn.functional.pad(window, (0, WINDOW - len(window))) if _pad else window


def score(path):
    try:
        audio, rate = torchaudio.load(path)
    except Exception:  # noqa: BLE001 - the peer skips what it cannot read
        return 0.0, None
    x = torchaudio.functional.resample(audio.mean(dim=0), rate, RATE)
    seconds = len(x) / RATE
    x = torch.cat([x[:1], x[1:] - 0.97 * x[:-1]])
    x = 0.95 * x / x.abs().max().clamp(min=1e-9)
    with torch.no_grad():
        probabilities = [torch.softmax(_model(fit(x[i:i + WINDOW])[None]), dim=1)[0] for i in range(0, len(x), WINDOW)]
    return seconds, torch.stack(probabilities).mean(dim=0).tolist()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("folders", nargs="+")
    p.add_argument("--model", required=True)
    p.add_argument("--mn04", required=True)
    p.add_argument("--workers", type=int, default=2)
    args = p.parse_args()
    files = sorted(os.path.join(d, f) for folder in args.folders for d, _, names in os.walk(folder)
                   for f in names if f.lower().endswith(AUDIO))
    try:
        network(args.model, args.mn04)  # fails here, not in every worker, on a model it cannot rebuild
    except (ValueError, OSError) as e:
        sys.exit(f"peer: {e}")
    started = time.time()
    with multiprocessing.Pool(args.workers, init, (args.model, args.mn04)) as pool:
        results = pool.map(score, files, chunksize=4)
    wall = time.time() - started
    audio = sum(s for s, _ in results)
    print(json.dumps({"recordings": len(files), "scored": sum(r is not None for _, r in results),
                      "audio_seconds": round(audio, 1), "wall_seconds": round(wall, 2),
                      "audio_seconds_per_second": round(audio / wall, 2)}))


if __name__ == "__main__":
    main()
