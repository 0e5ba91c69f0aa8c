#!/usr/bin/env python3
"""Per-window pooled features from the frozen front ends, for the leave-one-corpus-out protocol's
baselines and front-end comparison (`loco.py`). Reads a `ser prepare` output and writes
PREPARED/features/pooled-<front>.npy (float32 [windows, dims], rows in `loco.load_rows` order).

  /usr/bin/python3 model/recipes/frozen_features.py --data PREPARED [--front mel-mfcc mn04 speech-embedding]

Front ends (all see the pipeline's preprocessed window: trimmed, pre-emphasised, peak-normalised,
zero-padded to 8 s; padding frames are masked out of every statistic); mel-mfcc and mn04 are the
modules of `pooled_ser.py`, which the exported models run too; mel-mfcc-unpadded and mn04-unpadded
are their padding-invariant builds (`pooled_ser.Mn04Stats`), computed on each window without its
padding:
  mel-mfcc          64-band log-mel and 20 MFCCs, mean and standard deviation over frames (the
                    issue's first floor)
  mn04              EfficientAT mn04 (AudioSet), mean and standard deviation over frames of the
                    frequency-pooled outputs of feature layers 6, 12, 15 and 16
  yamnet            Google's YAMNet (AudioSet), mean and standard deviation of its 1024-d patch
                    embeddings (0.96 s patches every 0.48 s) over the patches that hold signal
  speech-embedding  Google's speech_embedding (96-d, every 80 ms), mean and standard deviation,
                    with its log-mel statistics
  prosody           pitch, voicing, loudness and rhythm statistics (`pooled_ser.ProsodyStats`),
                    padding-invariant
"""
import argparse
import hashlib
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import channel_augment  # noqa: E402
import loco  # noqa: E402
import train_ser  # noqa: E402
import pooled_ser  # noqa: E402
from pooled_ser import masked_stats  # noqa: E402
import speech_embedding  # noqa: E402
import yamnet  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class SpeechEmb(torch.nn.Module):
    def __init__(self, directory):
        super().__init__()
        self.front = speech_embedding.SpeechEmbeddingFrontEnd(directory)

    def forward(self, w):
        emb, mask, mel_stats = self.front(w)
        return torch.cat([masked_stats(emb.transpose(1, 2), mask), mel_stats], dim=1)


class YamnetStats(torch.nn.Module):
    def __init__(self, path):
        super().__init__()
        self.net = yamnet.Yamnet(path, pre_emphasised=True)

    def forward(self, w):
        logmel, mask = self.net.log_mel(w)
        patches, patch_mask = self.net.patches(logmel, mask)
        e = self.net.embed(patches).reshape(w.shape[0], -1, 1024)  # [B, P, 1024]
        return masked_stats(e.transpose(1, 2), patch_mask)


def variant(x, row, args):
    """The window itself (variant 0), its augmented variant `args.variant`, as the trainers cache them,
    or with `args.held_out_channel` the window through channel_augment.HeldOutChannel (seeded per
    window; babble from the preparation's other windows)."""
    if not args.variant and not args.held_out_channel:
        return x
    if not hasattr(args, "ffmpeg"):
        args.ffmpeg = channel_augment.bundled_ffmpeg() or ""
    if not args.held_out_channel:
        return train_ser.FeatureCache._variant(x, row, args.variant, args.seed, 0.3, args.ffmpeg)
    if not args.ffmpeg:
        sys.exit("--held-out-channel needs the bundled FFmpeg (org.bytedeco:ffmpeg in the local Maven repository)")

    def other(generator):
        r = args.rows[int(torch.randint(0, len(args.rows), (), generator=generator))]
        return signal(loco.window(args.shards, r))

    key = (row["path"], row["window"])
    if key in args.held_out_cache:  # the same window for every front end, computed once
        return args.held_out_cache[key]
    identity = f"heldout:{row['path']}:{row['window']}".encode()
    g = torch.Generator().manual_seed(int.from_bytes(hashlib.sha256(identity).digest()[:8], "little"))
    s = signal(x)
    out = torch.zeros_like(x)
    out[:len(s)] = channel_augment.HeldOutChannel(g, args.ffmpeg, other)(s)
    args.held_out_cache[key] = out
    return out


def signal(x):
    """The window without its trailing zero padding."""
    nonzero = torch.nonzero(x).flatten()
    return x[: int(nonzero[-1]) + 1] if len(nonzero) else x


# the padding-invariant builds of the two (pooled_ser.Mn04Stats): trailing zeros change nothing
# (model/tests/test_pooled_ser.py), so they are computed on each window without its padding
PADDING_INVARIANT = ("mel-mfcc-unpadded", "mn04-unpadded", "prosody")


def unpadded_features(model, rows, shards, args, batch=32):
    """Features of every window without its zero padding, as the pipeline feeds a model whose
    manifest says padding "none": windows batched by signal length, each batch padded only to its
    longest. The same values as on the 8 s windows (up to float rounding), in about half the time
    on short clips."""
    signals = []
    for r in rows:
        x = variant(loco.window(shards, r), r, args)
        nonzero = torch.nonzero(x).flatten()
        signals.append(x[: int(nonzero[-1]) + 1] if len(nonzero) else x[:1])
    order = sorted(range(len(rows)), key=lambda i: len(signals[i]))
    features = None
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        longest = max(len(signals[i]) for i in chunk)
        x = torch.stack([torch.nn.functional.pad(signals[i], (0, longest - len(signals[i]))) for i in chunk])
        out = model(x).numpy()
        if features is None:
            features = np.zeros((len(rows), out.shape[1]), dtype=np.float32)
        features[chunk] = out
    return features


def front_end(name, args):
    if name == "yamnet":
        return YamnetStats(args.yamnet)
    if name in ("mel-mfcc", "mel-mfcc-unpadded"):
        return pooled_ser.MelMfccStats(padding_invariant=name in PADDING_INVARIANT)
    if name == "prosody":
        return pooled_ser.ProsodyStats()
    if name in ("mn04", "mn04-unpadded"):
        return pooled_ser.Mn04Stats(args.mn04, padding_invariant=name in PADDING_INVARIANT)
    return SpeechEmb(args.embedding_dir)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--front", nargs="+", default=["mel-mfcc", "mn04", "speech-embedding"])
    p.add_argument("--mn04", default=os.path.join(HERE, "..", "..", "..", "shared", "models", "mn04_as_mAP_432.pt"))
    p.add_argument("--yamnet", default=os.path.join(HERE, "..", "..", "..", "shared", "models", "yamnet.tflite"))
    p.add_argument("--embedding-dir", default=os.path.join(HERE, "..", "speech-embedding"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--variant", type=int, default=0,
                   help="0: the clean windows; K > 0: augmented variant K (the study's augmentation, then a random "
                        "channel: channel_augment.py), seeded per window; written as pooled-<front>-vK.npy")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--held-out-channel", action="store_true",
                   help="every window through channel_augment.HeldOutChannel, a channel family no training variant "
                        "uses; written as pooled-<front>-held-out-channel.npy (loco.py --score-variant held-out-channel)")
    args = p.parse_args()
    if args.variant and args.held_out_channel:
        p.error("--variant and --held-out-channel each name the windows to pool: give one")
    torch.set_num_threads(args.threads)
    rows, shards = loco.load_rows(args.data)
    args.rows, args.shards, args.held_out_cache = rows, shards, {}
    os.makedirs(os.path.join(args.data, "features"), exist_ok=True)
    for name in args.front:
        suffix = "-held-out-channel" if args.held_out_channel else f"-v{args.variant}" if args.variant else ""
        out = os.path.join(args.data, "features", f"pooled-{name}{suffix}.npy")
        if os.path.exists(out):
            print(f"{out} exists", flush=True)
            continue
        model = front_end(name, args).eval()
        started = time.time()
        with torch.no_grad():
            if name in PADDING_INVARIANT:
                features = unpadded_features(model, rows, shards, args)
            else:
                parts = [model(torch.stack([variant(loco.window(shards, r), r, args) for r in rows[i:i + 32]])).numpy()
                         for i in range(0, len(rows), 32)]
                features = np.concatenate(parts).astype(np.float32)
        np.save(out + ".tmp.npy", features)
        os.replace(out + ".tmp.npy", out)
        print(f"{name}: {features.shape} in {time.time() - started:.0f} s -> {out}", flush=True)


if __name__ == "__main__":
    main()
