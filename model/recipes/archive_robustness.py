#!/usr/bin/env python3
"""How archive normalisation holds when the archive is small or its classes are skewed: for each
held-out corpus, a head of the shipped recipe (features standardised per corpus and, as a second
copy, per speaker; each window clean and in its augmented variants; logistic regression) trained on
the other three, then scored on random
sub-archives of the held-out corpus, each standardised with its own statistics, as `ser score`
standardises a run's windows.

  /usr/bin/python3 model/recipes/archive_robustness.py WORK [--l2 0.1] [--draws 20] [--normalise archive] [--variants 1] [--mix-copies 2]

Rows: sub-archives of N clips (N = 10, 25, 50, 100, every clip), drawn at random; the training
statistics alone (what an archive below min_windows gets); archives of 200 clips in which one class
holds 70 % (each class in turn); the whole corpus with each speaker standardised apart
(`ser.feature-normalisation=speaker`). Clip-level UA (window probabilities averaged per clip), in Python
on the cached features (PREPARED/features), not through `ser evaluate`. Writes
WORK/archive-robustness.json and prints a table.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loco  # noqa: E402

FEATURES = ["mel-mfcc-unpadded", "mn04-unpadded"]
SIZES = [10, 25, 50, 100]
MIN_WINDOWS = 10  # the shipped model's min_windows


def statistics(x):
    return x.mean(axis=0), np.maximum(x.std(axis=0), 1e-4)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("work")
    p.add_argument("--l2", type=float, default=0.1)
    p.add_argument("--draws", type=int, default=20)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--normalise", choices=["archive", "archive+speaker"], default="archive+speaker",
                   help="the training recipe (train_pooled.py --normalise): per corpus, or per corpus and per speaker")
    p.add_argument("--mix-copies", type=int, default=0,
                   help="also train on this many clean copies, each corpus standardised with a random class mix's "
                        "statistics (train_pooled.py --mix-copies)")
    p.add_argument("--variants", type=int, default=3,
                   help="train on each window clean and in its augmented variants 1..N-1 (train_pooled.py "
                        "--augment-variants), standardised with the clean windows' statistics")
    args = p.parse_args()
    torch.set_num_threads(2)
    data = os.path.join(args.work, "prepared")
    rows, _ = loco.load_rows(data)
    x = loco.load_features(data, FEATURES)
    x = x.astype(np.float64)
    variants = [loco.load_features(data, FEATURES, f"-v{k}").astype(np.float64) for k in range(1, args.variants)]
    y = np.array([loco.LABELS.index(r["label"]) for r in rows])
    corpus = np.array([r["corpus"] for r in rows])
    speaker = np.array([f'{r["corpus"]}/{r["speaker"]}' for r in rows])
    _, clip = np.unique(np.array([r["path"] for r in rows]), return_inverse=True)
    rng = np.random.default_rng(args.seed)

    def per_group(idx, groups, of=None):
        """Windows `idx` (of `of`, default the clean ones), each group standardised with its clean
        windows' statistics; a group of fewer than MIN_WINDOWS windows with its corpus's, as
        `ser.feature-normalisation=speaker` falls back."""
        of = x if of is None else of
        z = np.empty((len(idx), x.shape[1]))
        for g in np.unique(groups[idx]):
            sel = groups[idx] == g
            source = sel if sel.sum() >= MIN_WINDOWS else corpus[idx] == corpus[idx][sel][0]
            m, s = statistics(x[idx][source])
            z[sel] = (of[idx][sel] - m) / s
        return z

    def ua(head, idx, mean=None, std=None, z=None):
        z = (x[idx] - mean) / std if z is None else z
        with torch.no_grad():
            prob = head(torch.as_tensor(z, dtype=torch.float32)).softmax(1).numpy()
        clips, inverse = np.unique(clip[idx], return_inverse=True)
        sums = np.zeros((len(clips), 4))
        np.add.at(sums, inverse, prob)
        truth = np.zeros(len(clips), dtype=int)
        truth[inverse] = y[idx]
        return loco.unweighted_accuracy(truth, sums.argmax(1))

    result = {}
    for held in loco.CORPORA:
        train = [c for c in loco.CORPORA if c != held]
        parts, labels, corpora, stats = [], [], [], []
        for c in train:
            sel = corpus == c
            m, s = statistics(x[sel])
            stats.append((m, s))
            for a in [x] + variants:
                parts.append((a[sel] - m) / s)
                if args.normalise == "archive+speaker":
                    parts.append(per_group(np.where(sel)[0], speaker, a))
            mixes = loco.class_mix_copies(x[sel], corpus[sel], y[sel], args.mix_copies, args.seed)
            parts += mixes
            copies = (1 + len(variants)) * (2 if args.normalise == "archive+speaker" else 1) + len(mixes)
            labels += [y[sel]] * copies
            corpora += [corpus[sel]] * copies
        xt, yt, ct = np.concatenate(parts), np.concatenate(labels), np.concatenate(corpora)
        head = loco.train_head(xt, yt, loco.balanced_weights(ct, yt), "logreg", args.l2)
        test = np.where(corpus == held)[0]
        clips = np.unique(clip[test])
        label_of = {c: y[test][clip[test] == c][0] for c in clips}
        row = {"all": ua(head, test, *statistics(x[test]))}
        for n in SIZES:
            draws = []
            for _ in range(args.draws):
                pick = rng.choice(clips, size=min(n, len(clips)), replace=False)
                idx = test[np.isin(clip[test], pick)]
                draws.append(ua(head, idx, *statistics(x[idx])))
            row[str(n)] = float(np.mean(draws))
        prior_mean = np.mean([m for m, _ in stats], axis=0)
        prior_std = np.sqrt(np.mean([s ** 2 for _, s in stats], axis=0))
        row["training statistics"] = ua(head, test, prior_mean, prior_std)
        skewed = []
        for dominant in range(4):
            by_class = [np.array([c for c in clips if label_of[c] == k]) for k in range(4)]
            want = [140 if k == dominant else 20 for k in range(4)]
            pick = np.concatenate([rng.choice(b, size=min(w, len(b)), replace=False) for b, w in zip(by_class, want)])
            idx = test[np.isin(clip[test], pick)]
            skewed.append(ua(head, idx, *statistics(x[idx])))
        row["one class 70 %"] = float(np.mean(skewed))
        row["per speaker"] = ua(head, test, z=per_group(test, speaker))
        result[held] = row
    columns = ["all"] + [str(n) for n in SIZES] + ["training statistics", "one class 70 %", "per speaker"]
    result["mean"] = {k: float(np.mean([result[c][k] for c in loco.CORPORA])) for k in columns}
    with open(os.path.join(args.work, "archive-robustness.json"), "w") as f:
        json.dump({"l2": args.l2, "draws": args.draws, "features": FEATURES, "normalise": args.normalise,
                   "variants": args.variants, "mix_copies": args.mix_copies,
                   "ua": result}, f, indent=2)
    print("| held-out corpus | whole corpus | " + " | ".join(f"{n} clips" for n in SIZES)
          + " | training statistics | 200 clips, one class 70 % | per speaker |")
    print("|---" * (len(columns) + 1) + "|")
    for c in loco.CORPORA + ["mean"]:
        print(f"| {c} | " + " | ".join(f"{result[c][k]:.3f}" for k in columns) + " |")


if __name__ == "__main__":
    main()
