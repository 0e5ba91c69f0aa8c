#!/usr/bin/env python3
"""Trains an emotion head on frozen, pooled features (`pooled_ser.py`: log-mel and MFCC statistics
and EfficientAT mn04's pooled taps) and exports the whole network, features included, to ONNX
with its model.json (and an int8 QDQ copy).

  /usr/bin/python3 model/recipes/train_pooled.py --data PREPARED --out MODEL_DIR --train-corpus a,b,c \
      [--mix-copies 2] [--prosody] [--val-fold 5] [--test-fold K] [--extra-corpus X] [--head logreg|dann] [--l2 1e-3 1e-2 1e-1] [--int8-out DIR]

Why pooled features and a linear head: across corpora, in the leave-one-corpus-out protocol, a
head on frozen pooled features transferred as well as or better than fine-tuning mn04's upper
blocks (which fit the training corpora's speakers closely and lost on the held-out corpus); see
the model card's ablations.

Splits as in `train_ser.py`: for each --train-corpus, --test-fold is never used and --val-fold
picks the L2 strength from --l2 (by the mean of the corpora's clip-level UA); the head is then
refitted on training and validation windows together. Every corpus weighs the same and every
class within a corpus the same. Training windows count clean and in --augment-variants - 1
augmented variants (the study's augmentation, then a random room, equalisation, phone band,
phone codec and noise: `channel_augment.py`); validation scores clean windows only. Features come from PREPARED/features/ (computed by
frozen_features.py, run here when missing).

--mix-copies K (the shipped recipe: 2): the clean training windows count K times more, each corpus
standardised with the statistics of a random class mix of itself (`loco.class_mix_copies`), so the
head learns what an archive's emotion mix does to its statistics. Chosen by nested
leave-one-corpus-out within the training corpora (`loco.py --mix-copies`; README, *Through other
channels*).

--prosody: the network also computes 12 prosody statistics per window (pitch, voicing, loudness and
rhythm: `pooled_ser.ProsodyStats`), whose columns the head's L2 holds pooled_ser.PROSODY_WEIGHT² times
less tightly than the others.

--normalise archive: every corpus's features are standardised with that
corpus's own mean and spread (its augmented variants with its clean windows' statistics), and
validation windows with their own, as `ser score` and `ser evaluate` standardise the windows of
the archive they score. The graph then has a second output, `features` (the pooled features
before any standardisation), and model.json's `archive_normalisation` holds the linear head and
the training corpora's average statistics (for archives too small to have their own): see
README "Archive normalisation". Why: in the leave-one-corpus-out protocol a corpus's recording
conditions, language and speakers shift every pooled feature, and the head reads the shift as
emotion (one class predicted for most of a corpus); standardising each corpus with its own
statistics removes the shift (Schuller et al. 2010, "per-corpus normalisation").

--normalise archive+speaker (the shipped recipe): as archive, and every window counts a second time
standardised with its speaker's own statistics, so the same model serves runs that standardise
each speaker apart (`ser.feature-normalisation=speaker`). Chosen by nested leave-one-corpus-out
within the training corpora (`loco.py`): 0.579 scored per corpus and 0.622 per speaker, against
0.577 and 0.617 for per-corpus training alone and 0.565 and 0.629 for per-speaker training alone.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import loco  # noqa: E402
import pooled_ser  # noqa: E402
import qdq  # noqa: E402
import train_ser  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["mel-mfcc", "mn04"]


def features(data, names, weights, variant=0, seed=1234):
    """Pooled features of every window (variant 0) or of its augmented variant K, computed when missing."""
    suffix = f"-v{variant}" if variant else ""
    missing = [n for n in names if not os.path.exists(os.path.join(data, "features", f"pooled-{n}{suffix}.npy"))]
    if missing:
        subprocess.run([sys.executable, os.path.join(HERE, "frozen_features.py"), "--data", data, "--front", *missing,
                        "--mn04", weights, "--variant", str(variant), "--seed", str(seed)], check=True)
    return np.concatenate([np.load(os.path.join(data, "features", f"pooled-{n}{suffix}.npy")) for n in names], axis=1)


def clip_ua(head, x, y, corpus, clips):
    """Mean over corpora of the clip-level UA (window probabilities averaged per clip)."""
    uas = []
    for c in sorted(set(corpus)):
        sel = corpus == c
        clip_of, pred = loco.predict(head, x[sel], clips[sel])
        truth = np.zeros(len(pred), dtype=int)
        truth[clip_of] = y[sel]
        uas.append(loco.unweighted_accuracy(truth, pred))
    return float(np.mean(uas))


def corpus_statistics(features):
    """Mean and standard deviation per dimension (the spread floored as `loco.Standardise` does)."""
    f = features.astype(np.float64)
    return f.mean(axis=0), np.maximum(f.std(axis=0), 1e-4)


def archive_normalisation(head, prior, min_windows):
    """model.json's `archive_normalisation`: the head as one linear map of standardised features (its
    own standardisation folded in) and the training corpora's average statistics. The graph's
    `logits` are this head on features standardised with those statistics."""
    inner, linear = head[1][0], head[1][1]  # Sequential(prior, Sequential(Standardise, Linear))
    if not isinstance(linear, torch.nn.Linear):
        sys.exit("--normalise archive needs --head logreg (a linear head)")
    w = linear.weight.detach().double() / inner.std.double()
    b = linear.bias.detach().double() - w @ inner.mean.double()
    rounded = lambda v: [float(f"{float(a):.7g}") for a in v]  # noqa: E731
    return {"features_output": "features", "min_windows": min_windows,
            "training_mean": rounded(prior[0]), "training_std": rounded(prior[1]),
            "weights": [rounded(row) for row in w], "bias": rounded(b)}


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--int8-out")
    p.add_argument("--train-corpus", required=True, help="comma-separated corpora of the prepared data")
    p.add_argument("--extra-corpus", action="append", default=[], help="training-only corpus (repeatable)")
    p.add_argument("--test-fold", type=int, default=0)
    p.add_argument("--val-fold", type=int, default=5)
    p.add_argument("--head", choices=["logreg", "dann"], default="logreg")
    p.add_argument("--l2", type=float, nargs="+", default=[1e-3, 1e-2, 1e-1])
    p.add_argument("--mn04-weights", default=os.path.join(HERE, "..", "..", "..", "shared", "models", "mn04_as_mAP_432.pt"))
    p.add_argument("--augment-variants", type=int, default=3,
                   help="train on each window and its augmented variants 1..N-1 (the study's augmentation, then a "
                        "random channel: channel_augment.py); 1: clean windows only")
    p.add_argument("--calibration-windows", type=int, default=128)
    p.add_argument("--int8-all-convs", action="store_true",
                   help="int8 copy: quantize mn04's depthwise convolutions too (default: they stay float32)")
    p.add_argument("--unpadded", action="store_true",
                   help="padding-invariant features (pooled_ser.Mn04Stats): the model takes windows unpadded "
                        "(manifest padding \"none\"); an ablation, 2.5 points below the shipped recipe's mean LOCO UA")
    p.add_argument("--normalise", choices=["training", "archive", "archive+speaker"], default="training",
                   help="archive: standardise every corpus (and every archive scored later) with its own "
                        "statistics; archive+speaker: train on every window twice, standardised with its corpus's "
                        "statistics and with its speaker's, so the model serves both ser.feature-normalisation=archive "
                        "and =speaker; training: with the training windows' (one standardisation for all)")
    p.add_argument("--prosody", action="store_true",
                   help="also pool prosody statistics (pooled_ser.ProsodyStats: pitch, voicing, loudness, rhythm)")
    p.add_argument("--prosody-weight", type=float, default=pooled_ser.PROSODY_WEIGHT,
                   help="with --prosody: the prosody columns' L2 penalty divided by this squared")
    p.add_argument("--mix-copies", type=int, default=0,
                   help="with --normalise archive or archive+speaker: also train on this many copies of the clean "
                        "windows, each corpus standardised with the statistics of a random class mix of itself "
                        "(loco.class_mix_copies): an archive's statistics move with its mix of emotions")
    p.add_argument("--min-archive-windows", type=int, default=10,
                   help="archive: fewer scored windows than this use the training corpora's statistics")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    if args.prosody_weight <= 0:
        p.error(f"--prosody-weight {args.prosody_weight:g}: the prosody columns' L2 is divided by its square, "
                f"so it must be above 0 (default {pooled_ser.PROSODY_WEIGHT:g})")
    if args.mix_copies < 0:
        p.error(f"--mix-copies {args.mix_copies}: a number of copies, 0 or more")
    if args.mix_copies and args.normalise == "training":
        p.error("--mix-copies standardises each corpus with a class mix's statistics: it needs --normalise archive "
                "or archive+speaker")
    names = ([f"{n}-unpadded" for n in FEATURES] if args.unpadded else FEATURES) + (["prosody"] if args.prosody else [])
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    started = time.time()
    meta, rows, shards = train_ser.load_prepared(args.data)
    train_corpora = args.train_corpus.split(",")
    unknown = [c for c in train_corpora + args.extra_corpus if c not in meta["corpora"]]
    if unknown:
        sys.exit(f"{', '.join(unknown)} not in {args.data} (it holds {', '.join(meta['corpora'])})")
    x = features(args.data, names, args.mn04_weights)
    augmented = [features(args.data, names, args.mn04_weights, k, args.seed) for k in range(1, args.augment_variants)]
    penalty = loco.l2_penalty(args.data, names, args.prosody_weight)
    if len(x) != len(rows):
        sys.exit(f"features in {args.data}/features hold {len(x)} windows, the index {len(rows)}: remove them")
    y = np.array([train_ser.LABELS.index(r["label"]) for r in rows])
    corpus = np.array([r["corpus"] for r in rows])
    clips = np.array([r["path"] for r in rows])
    position = {id(r): i for i, r in enumerate(rows)}
    train_rows, val_rows = train_ser.split(rows, set(train_corpora), args.test_fold, args.val_fold, set(args.extra_corpus))
    tr = np.array([position[id(r)] for r in train_rows])
    va = np.array([position[id(r)] for r in val_rows])
    archive = args.normalise != "training"
    speakers = np.array([f'{r["corpus"]}/{r["speaker"]}' for r in rows])
    # the groups each window is standardised within, one training copy per grouping
    groupings = {"training": [None], "archive": [corpus], "archive+speaker": [corpus, speakers]}[args.normalise]

    def standardised(arrays, idx, groups):
        """`arrays` (clean first, then augmented variants) at windows `idx`, each group (a corpus, a
        speaker) standardised with its clean windows' own statistics; as they are when `groups` is None.
        A group of fewer windows than --min-archive-windows takes its corpus's statistics, as
        `ser.feature-normalisation=speaker` gives such a speaker the run's."""
        if groups is None:
            return [a[idx] for a in arrays]
        out = [a[idx].astype(np.float64) for a in arrays]
        for c in sorted(set(groups[idx])):
            sel = groups[idx] == c
            source = sel if sel.sum() >= args.min_archive_windows else corpus[idx] == corpus[idx][sel][0]
            mean, std = corpus_statistics(arrays[0][idx][source])
            for o in out:
                o[sel] = (o[sel] - mean) / std
        return [o.astype(np.float32) for o in out]

    def fit(idx, l2):
        """The head on windows `idx`, each clean and in every augmented variant, once per grouping, and
        --mix-copies more clean copies, each corpus standardised with a random class mix's statistics."""
        mixes = loco.class_mix_copies(x[idx], corpus[idx], y[idx], args.mix_copies, args.seed) if archive else []
        xs = np.concatenate([a for g in groupings for a in standardised([x] + augmented, idx, g)] + mixes)
        reps = (1 + len(augmented)) * len(groupings) + len(mixes)
        ys, cs = np.tile(y[idx], reps), np.tile(corpus[idx], reps)
        return loco.train_head(xs, ys, loco.balanced_weights(cs, ys), args.head, l2, seed=args.seed, corpus=cs,
                               penalty=penalty)

    def validation_ua(head):
        """Clip-level UA on the validation windows, averaged over the groupings."""
        return float(np.mean([clip_ua(head, standardised([x], va, g)[0], y[va], corpus[va], clips[va])
                              for g in groupings]))

    val_ua = {l2: validation_ua(fit(tr, l2)) for l2 in args.l2}
    best = max(args.l2, key=lambda l2: val_ua[l2])
    print("validation UA by L2: " + ", ".join(f"{k:g}: {v:.3f}" for k, v in val_ua.items()) + f"; chosen {best:g}",
          flush=True)
    both = np.concatenate([tr, va])
    head = fit(both, best)

    prior = None
    if archive:
        # an archive too small for its own statistics gets the training corpora's average ones
        stats = [corpus_statistics(x[both][corpus[both] == c]) for c in sorted(set(corpus[both]))]
        prior = (np.mean([m for m, _ in stats], axis=0), np.sqrt(np.mean([s ** 2 for _, s in stats], axis=0)))
        head = torch.nn.Sequential(pooled_ser.Standardise(*prior), head).eval()
    fronts = [pooled_ser.MelMfccStats(padding_invariant=args.unpadded),
              pooled_ser.Mn04Stats(args.mn04_weights, padding_invariant=args.unpadded)]
    model = pooled_ser.PooledSerNet(fronts + ([pooled_ser.ProsodyStats()] if args.prosody else []),
                                    head, with_features=archive).eval()
    # the graph must compute the features the head was trained on
    check = both[:: max(1, len(both) // 16)][:16]
    with torch.no_grad():
        direct = model(torch.stack([train_ser.window(shards, rows[i]) for i in check]))
        direct = direct[0] if archive else direct
        cached = head(torch.as_tensor(x[check]))
    if not torch.allclose(direct, cached, atol=1e-3):
        sys.exit(f"the network's features differ from the cached ones by {float((direct - cached).abs().max()):.4g}; "
                 f"remove {args.data}/features and run again")
    model.fuse_batch_norms()
    description = (f"Frozen pooled features (64-band log-mel and 20 MFCC statistics; EfficientAT mn04, AudioSet, MIT, "
                   f"Schmid et al. 2023, rebuilt, layers 6/12/15/16 pooled"
                   f"{'; pitch, voicing, loudness and rhythm statistics' if args.prosody else ''}) with a "
                   f"{'logistic-regression' if args.head == 'logreg' else 'corpus-adversarial MLP'} head trained on "
                   f"{', '.join(train_corpora + args.extra_corpus)} (every corpus and class weighted alike)")
    training = {"arch": f"pooled-{args.head}", "features": names, "train_corpora": train_corpora,
                "extra_corpora": args.extra_corpus, "test_fold": args.test_fold, "val_fold": args.val_fold,
                "train_windows": len(tr), "val_windows": len(va), "l2_grid": args.l2, "val_ua_by_l2": val_ua,
                "l2": best, "refit_on": "training + validation windows", "balance": "corpus-class",
                "augment_variants": args.augment_variants, "padding_invariant": args.unpadded,
                "normalise": args.normalise,
                "prosody_weight": args.prosody_weight if args.prosody else None, "mix_copies": args.mix_copies,
                "seed": args.seed, "wall_seconds": round(time.time() - started, 1), "data": os.path.abspath(args.data)}
    training["trainable_parameters"] = sum(p.numel() for p in head.parameters())
    if args.unpadded:
        # the features ignore trailing zeros, so the model is fed each window as it is: the same
        # scores for a third to half of the work
        meta = dict(meta, padding="none")
        if "front_end" in meta:
            meta["front_end"] = dict(meta["front_end"], padding="none")
    extra = {}
    if archive:
        extra["archive_normalisation"] = archive_normalisation(head, prior, args.min_archive_windows)
        description += ("; features standardised per archive (each corpus with its own statistics)"
                        if args.normalise == "archive" else
                        "; features standardised per archive or per speaker (trained on each corpus and each speaker"
                        " standardised with its own statistics)")
    manifest = train_ser.export(model, meta, args.out, training, True, f"pooled-{args.head}", description,
                                outputs=["logits", "features"] if archive else ["logits"], extra=extra)
    if args.int8_out:
        pick = torch.randperm(len(tr), generator=torch.Generator().manual_seed(args.seed + 3))
        sample = [rows[tr[i]] for i in pick[: args.calibration_windows].tolist()]
        batches = [torch.stack([train_ser.window(shards, r) for r in sample[i:i + 16]]) for i in range(0, len(sample), 16)]
        # mn04's depthwise convolutions stay float32 (unless --int8-all-convs): quantizing them too cost
        # 2.0 points of mean LOCO UA against 0.6 without them (the model card's int8 rows); they hold
        # few weights, so the file barely grows (3.49 MB against 3.45 MB)
        keep = None if args.int8_all_convs else (lambda name, m: isinstance(m, torch.nn.Conv2d) and m.groups > 1)
        qdq.write_int8(model, batches, args.out, args.int8_out, manifest, f"{len(sample)} training windows", keep)
    print(json.dumps({"val_ua": val_ua[best], "l2": best, "seconds": round(time.time() - started, 1)}), flush=True)


if __name__ == "__main__":
    main()
