#!/usr/bin/env python3
"""What each part of the held-out channel family costs on its own: a diagnosis, not a protocol step.

  /usr/bin/python3 model/recipes/channel_components.py --data PREPARED [--windows 200] [--parts microphone codec]

For each corpus, a sample of its windows goes through each part of `channel_augment.HeldOutChannel`
alone (a small microphone's response, a phone's gain control, an unseen codec, babble) and through
all of them; each corpus's sample is standardised with its own statistics, as archive normalisation
would standardise an archive of such recordings, and scored clip by clip by the shipped recipe's
LOCO heads (padding-invariant log-mel/MFCC and mn04 features, each corpus and speaker standardised
apart, every window clean and in its 2 augmented variants, L2 0.1: `loco.py --normalise
corpus+speaker --variants 3`). It prints the held-out UA per corpus and its mean for the clean
sample and for each condition. Features of the clean windows come from the cache
(`frozen_features.py`); the channel's are computed here, about a second per window per part.
"""
import argparse
import hashlib
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import channel_augment  # noqa: E402
import loco  # noqa: E402
import pooled_ser  # noqa: E402
from frozen_features import signal  # noqa: E402
from loco import CORPORA, LABELS  # noqa: E402

FRONTS = ["mel-mfcc-unpadded", "mn04-unpadded"]
HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--windows", type=int, default=200, help="windows drawn from each corpus")
    p.add_argument("--parts", nargs="+", default=list(channel_augment.HeldOutChannel.PARTS) + ["all"],
                   choices=list(channel_augment.HeldOutChannel.PARTS) + ["all"])
    p.add_argument("--mn04", default=os.path.join(HERE, "..", "..", "..", "shared", "models", "mn04_as_mAP_432.pt"))
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    ffmpeg = channel_augment.bundled_ffmpeg()
    if not ffmpeg:
        sys.exit("the held-out channel needs the bundled FFmpeg (org.bytedeco:ffmpeg in the local Maven repository)")
    rows, shards = loco.load_rows(args.data)
    x = loco.load_features(args.data, FRONTS)
    augmented = [loco.load_features(args.data, FRONTS, f"-v{k}") for k in (1, 2)]
    y = np.array([LABELS.index(r["label"]) for r in rows])
    corpus = np.array([r["corpus"] for r in rows])
    clips = np.array([r["path"] for r in rows])
    speakers = np.array([f'{r["corpus"]}/{r["speaker"]}' for r in rows])

    # the shipped recipe's training copies: per corpus and per speaker, clean and augmented
    clean, others = loco.corpus_and_speaker_copies(x, augmented, corpus, speakers)
    copies = [clean] + others
    heads = {}
    for held in CORPORA:
        train = corpus != held
        xt = np.concatenate([c[train] for c in copies])
        yt, ct = np.tile(y[train], len(copies)), np.tile(corpus[train], len(copies))
        heads[held] = loco.train_head(xt, yt, loco.balanced_weights(ct, yt), "logreg", 0.1, corpus=ct)

    rng = np.random.default_rng(args.seed)
    sample = np.concatenate([rng.choice(np.where(corpus == c)[0], min(args.windows, int((corpus == c).sum())),
                                        replace=False) for c in CORPORA])

    def held_out_ua(features):
        """Held-out clip-level UA per corpus, each corpus's sample standardised with its own statistics."""
        out = {}
        for c in CORPORA:
            sel = corpus[sample] == c
            f = features[sel]
            z = (f - f.mean(axis=0)) / np.maximum(f.std(axis=0), 1e-4)
            clip_of, pred = loco.predict(heads[c], z.astype(np.float32), clips[sample][sel])
            truth = np.zeros(len(pred), dtype=int)
            truth[clip_of] = y[sample][sel]
            out[c] = loco.unweighted_accuracy(truth, pred)
        return out

    def report(name, uas):
        print(f"{name:14s} " + " ".join(f"{c} {uas[c]:.3f}" for c in CORPORA) + f"  mean {np.mean(list(uas.values())):.3f}",
              flush=True)

    report("as recorded", held_out_ua(x[sample]))
    fronts = [pooled_ser.MelMfccStats(padding_invariant=True), pooled_ser.Mn04Stats(args.mn04, padding_invariant=True)]

    def other(generator):  # babble: any window of the preparation
        return signal(loco.window(shards, rows[int(torch.randint(0, len(rows), (), generator=generator))]))

    for part in args.parts:
        parts = channel_augment.HeldOutChannel.PARTS if part == "all" else (part,)
        features = []
        for i in sample:
            identity = f"components:{part}:{rows[i]['path']}:{rows[i]['window']}".encode()
            g = torch.Generator().manual_seed(int.from_bytes(hashlib.sha256(identity).digest()[:8], "little"))
            window = channel_augment.HeldOutChannel(g, ffmpeg, other, parts)(signal(loco.window(shards, rows[i])))
            with torch.no_grad():
                features.append(torch.cat([f(window[None]) for f in fronts], dim=1)[0].numpy())
        report(part, held_out_ua(np.array(features)))


if __name__ == "__main__":
    main()
