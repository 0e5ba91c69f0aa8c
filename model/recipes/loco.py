#!/usr/bin/env python3
"""Leave-one-corpus-out (LOCO) experiments on pooled frozen features (`frozen_features.py`): for each
corpus, a head is trained on the other corpora and scored on the held-out one, window by window.
This is the fast loop that compares front ends and heads; the protocol's reported figures come from
`ser evaluate` on exported models (`protocol.sh`).

  /usr/bin/python3 model/recipes/loco.py --data PREPARED --features mel-mfcc mn04 [--head logreg|mlp]

Model selection never looks at the held-out corpus: for each held-out corpus, the settings are
judged by a nested LOCO over the training corpora alone (each left out in turn), printed as
`nested`; the held-out corpus's own figure is printed beside it as `test`.

Heads are trained with corpus- and class-balanced sample weights (every corpus weighs the same,
every class within it the same), on features standardised with the training corpora's statistics;
with `--normalise corpus`, every corpus (the held-out one too) is first standardised with its own
statistics, as archive normalisation does (`train_pooled.py --normalise archive`; augmented variants
with their corpus's clean statistics); with `--normalise speaker`, every speaker of every corpus is
standardised apart, as if each speaker's clips were one archive (a user scoring their own notes);
`--score-normalise corpus|speaker` standardises the held-out windows that way whatever training did
(a model trained per corpus scoring one user's archive, or one trained per speaker scoring an
archive whose speakers are unknown). `--score-variant K` scores the held-out corpus through other
channels: each window in its augmented variant K (a random room, equalisation, phone band, phone
codec and noise, `channel_augment.py`), or with `--score-variant held-out-channel` through a channel
family no training variant uses (`channel_augment.HeldOutChannel`), standardised with its own
statistics, as archive normalisation would standardise an archive of such recordings. The nested figure scores its
inner held-out corpora the same way, so a recipe is chosen for other channels without the test
corpus.
"""
import argparse
import json
import os

import numpy as np
import torch

import pooled_ser
import train_ser

LABELS = ["anger", "happiness", "neutral", "sadness"]
CORPORA = ["ravdess", "emodb", "nemo", "ased"]


def load_features(data, fronts, suffix=""):
    """The cached pooled features of `fronts` joined per window (PREPARED/features/pooled-<front><suffix>.npy);
    a missing file is one line saying which command makes it."""
    paths = [os.path.join(data, "features", f"pooled-{f}{suffix}.npy") for f in fronts]
    missing = [p for p in paths if not os.path.exists(p)]
    if missing:
        how = ("--held-out-channel" if suffix == "-held-out-channel" else f"--variant {suffix[2:]}" if suffix else "")
        raise SystemExit(f"no cached features {', '.join(missing)}: make them with model/recipes/frozen_features.py "
                         f"--data {data} --front {' '.join(fronts)} {how}".rstrip())
    return np.concatenate([np.load(p) for p in paths], axis=1)


def load_rows(directory):
    """The ok windows of a `ser prepare` output in a stable order, and its shards (memory-mapped)."""
    return train_ser.load_prepared(directory)[1:]


window = train_ser.window


def balanced_weights(corpus, y):
    """Every corpus the same total weight, every class within a corpus the same share of it."""
    w = np.zeros(len(y))
    corpora = sorted(set(corpus))
    for c in corpora:
        in_c = corpus == c
        classes = sorted(set(y[in_c]))
        for k in classes:
            sel = in_c & (y == k)
            w[sel] = 1.0 / (len(corpora) * len(classes) * sel.sum())
    return w * len(y)


def unweighted_accuracy(y, pred):
    return float(np.mean([np.mean(pred[y == k] == k) for k in range(len(LABELS)) if np.any(y == k)]))


class Standardise(torch.nn.Module):
    def __init__(self, x):
        super().__init__()
        mean = x.mean(dim=0)
        std = x.std(dim=0).clamp(min=1e-4)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, x):
        return (x - self.mean) / self.std


class GradientReversal(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, strength):
        ctx.strength = strength
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return -ctx.strength * grad, None


def l2_penalty(data, fronts, prosody_weight):
    """The logistic head's L2 penalty per feature column: 1, and 1 / prosody_weight² on the columns of
    the prosody front (`pooled_ser.ProsodyStats`), whose 12 values would otherwise be penalised like
    any one of the other fronts' 1,192."""
    widths = [np.load(os.path.join(data, "features", f"pooled-{f}.npy"), mmap_mode="r").shape[1] for f in fronts]
    return np.concatenate([np.full(n, 1.0 / prosody_weight ** 2 if f == "prosody" else 1.0)
                           for f, n in zip(fronts, widths)]).astype(np.float32)


def train_head(x, y, w, kind, l2, seed=0, hidden=256, epochs=60, corpus=None, adversary=0.3, penalty=None):
    """A linear (logreg) or one-hidden-layer (mlp) head on standardised features; `dann` is the mlp
    with a corpus classifier behind a gradient reversal on its hidden layer (Ganin & Lempitsky
    2015), which pushes the hidden features to carry emotion but not the corpus. `penalty` scales
    the logistic head's L2 per feature column (`l2_penalty`; all 1 when None)."""
    torch.manual_seed(seed)
    x = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(y, dtype=torch.long)
    wt = torch.as_tensor(w, dtype=torch.float32)
    norm = Standardise(x)
    if kind == "logreg":
        net = torch.nn.Linear(x.shape[1], len(LABELS))
        xs = norm(x)
        scale = torch.ones(x.shape[1]) if penalty is None else torch.as_tensor(penalty, dtype=torch.float32)
        opt = torch.optim.LBFGS(net.parameters(), lr=1, max_iter=300, history_size=20, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = (torch.nn.functional.cross_entropy(net(xs), yt, reduction="none") * wt).mean() \
                + l2 * (net.weight ** 2 * scale).sum()
            loss.backward()
            return loss
        opt.step(closure)
    else:
        encoder = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(x.shape[1], hidden), torch.nn.GELU(),
                                      torch.nn.Dropout(0.5))
        net = torch.nn.Sequential(encoder, torch.nn.Linear(hidden, len(LABELS)))
        corpora = sorted(set(corpus)) if corpus is not None else []
        ct = torch.as_tensor([corpora.index(c) for c in corpus]) if kind == "dann" else None
        critic = torch.nn.Sequential(torch.nn.Linear(hidden, 64), torch.nn.GELU(), torch.nn.Linear(64, len(corpora))) \
            if kind == "dann" else None
        xs = norm(x)
        params = list(net.parameters()) + (list(critic.parameters()) if critic is not None else [])
        opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=l2)
        g = torch.Generator().manual_seed(seed)
        for _ in range(epochs):
            net.train()
            perm = torch.randperm(len(xs), generator=g)
            for i in range(0, len(perm), 64):
                b = perm[i:i + 64]
                h = encoder(xs[b])
                loss = (torch.nn.functional.cross_entropy(net[1](h), yt[b], reduction="none",
                                                          label_smoothing=0.1) * wt[b]).mean()
                if critic is not None:
                    loss = loss + torch.nn.functional.cross_entropy(critic(GradientReversal.apply(h, adversary)), ct[b])
                opt.zero_grad()
                loss.backward()
                opt.step()
        net.eval()
    return torch.nn.Sequential(norm, net).eval()


def predict(head, x, clips):
    """Per clip (windows grouped by `clips`, the pipeline's mean of window probabilities): the
    clip's index of each window and the clip's predicted class, both per window."""
    with torch.no_grad():
        p = head(torch.as_tensor(x, dtype=torch.float32)).softmax(dim=1).numpy()
    _, clip_of = np.unique(clips, return_inverse=True)
    sums = np.zeros((clip_of.max() + 1, p.shape[1]))
    np.add.at(sums, clip_of, p)
    return clip_of, sums.argmax(axis=1)


def loco(x, y, corpus, corpora, kind, l2, clips=None, augmented=(), scored=None, penalty=None):
    """Clip-level UA, predicted and true class shares on each held-out corpus of `corpora`, training on the
    others (their clean windows, plus each array of `augmented` features of the same windows); the
    held-out windows are read from `scored` where given (the same windows standardised otherwise)."""
    clips = np.arange(len(y)) if clips is None else clips
    scored = x if scored is None else scored
    out = {}
    for held in corpora:
        train = np.isin(corpus, [c for c in corpora if c != held])
        xt = np.concatenate([x[train]] + [a[train] for a in augmented])
        reps = 1 + len(augmented)
        yt, ct = np.tile(y[train], reps), np.tile(corpus[train], reps)
        head = train_head(xt, yt, balanced_weights(ct, yt), kind, l2, corpus=ct, penalty=penalty)
        test = corpus == held
        clip_of, pred = predict(head, scored[test], clips[test])
        truth = np.zeros(len(pred), dtype=int)
        truth[clip_of] = y[test]
        out[held] = (unweighted_accuracy(truth, pred), np.bincount(pred, minlength=4) / len(pred),
                     np.bincount(truth, minlength=4) / len(truth))
    return out


def per_corpus(x, augmented, corpus):
    """Every corpus (or any grouping given as `corpus`) standardised with its own clean windows' mean
    and spread."""
    x = x.astype(np.float64).copy()
    augmented = [a.astype(np.float64).copy() for a in augmented]
    for c in sorted(set(corpus)):
        sel = corpus == c
        mean, std = x[sel].mean(axis=0), np.maximum(x[sel].std(axis=0), 1e-4)
        for a in augmented:
            a[sel] = (a[sel] - mean) / std
        x[sel] = (x[sel] - mean) / std
    return x.astype(np.float32), [a.astype(np.float32) for a in augmented]


def corpus_and_speaker_copies(x, augmented, corpus, speakers):
    """The shipped recipe's training copies (`train_pooled.py --normalise archive+speaker`): every window
    standardised per corpus, then again per speaker, each clean and in its augmented variants. Returns the
    per-corpus clean copy and the list of all the others."""
    by_speaker = per_corpus(x, augmented, speakers)
    x, augmented = per_corpus(x, augmented, corpus)
    return x, augmented + [by_speaker[0]] + by_speaker[1]


def class_mix_copies(x, corpus, y, copies, seed=0):
    """`copies` more copies of the clean windows, each corpus standardised with the statistics of a random
    class mix of itself (class shares drawn from a flat Dirichlet, windows reweighted to them): an archive's
    statistics move with its mix of emotions, and the head learns what a shifted mean does."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(copies):
        z = x.astype(np.float64).copy()
        for c in sorted(set(corpus)):
            sel = corpus == c
            counts = np.bincount(y[sel], minlength=4).astype(float)
            shares = rng.dirichlet(np.ones(4))
            w = shares[y[sel]] / np.maximum(counts[y[sel]], 1)
            w /= w.sum()
            mean = (w[:, None] * x[sel]).sum(axis=0)
            std = np.sqrt(np.maximum((w[:, None] * (x[sel] - mean) ** 2).sum(axis=0), 1e-8))
            z[sel] = (x[sel] - mean) / np.maximum(std, 1e-4)
        out.append(z.astype(np.float32))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--features", nargs="+", required=True)
    p.add_argument("--head", default="logreg", choices=["logreg", "mlp", "dann"])
    p.add_argument("--l2", type=float, nargs="+", default=[1e-3])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--variants", type=int, default=1,
                   help="train on the clean windows and augmented variants 1..N-1 (pooled-<front>-vK.npy)")
    p.add_argument("--normalise", choices=["training", "corpus", "speaker", "corpus+speaker"], default="training",
                   help="corpus: standardise every corpus with its own statistics first (archive normalisation);"
                        " speaker: every speaker of every corpus apart (an archive per speaker); corpus+speaker:"
                        " train on both copies of every window (train_pooled.py --normalise archive+speaker),"
                        " score per corpus")
    p.add_argument("--score-normalise", choices=["same", "corpus", "speaker"], default="same",
                   help="standardise the held-out windows per corpus or per speaker, whatever --normalise did for"
                        " training (a per-corpus model scoring one user's archive, or a per-speaker model scoring"
                        " an archive whose speakers are unknown)")
    p.add_argument("--score-variant", default="0",
                   help="score the held-out windows in their augmented variant K (pooled-<front>-vK.npy: each window"
                        " through its own random room, equalisation, phone band, codec and noise) or, with"
                        " held-out-channel, through a channel family no training variant uses"
                        " (pooled-<front>-held-out-channel.npy, frozen_features.py --held-out-channel), standardised"
                        " with its own statistics: a held-out archive recorded through other channels")
    p.add_argument("--mix-copies", type=int, default=0,
                   help="with --normalise corpus+speaker: also train on this many copies of the clean windows, each"
                        " corpus standardised with the statistics of a random class mix of itself")
    p.add_argument("--prosody-weight", type=float, default=pooled_ser.PROSODY_WEIGHT,
                   help="with the prosody front among --features: its columns' L2 penalty divided by this squared")
    p.add_argument("--floors", help="write the floors (held-out UA per corpus and their mean) to this JSON file")
    p.add_argument("--record", help="add each L2's figures (held-out UA and largest class-share excess per corpus,"
                                    " their mean, the nested mean) to this JSON file, keyed by the run's description")
    args = p.parse_args()
    if args.prosody_weight <= 0:
        p.error(f"--prosody-weight {args.prosody_weight:g}: the prosody columns' L2 is divided by its square, "
                f"so it must be above 0 (default {pooled_ser.PROSODY_WEIGHT:g})")
    if args.mix_copies < 0:
        p.error(f"--mix-copies {args.mix_copies}: a number of copies, 0 or more")
    torch.set_num_threads(args.threads)
    rows, _ = load_rows(args.data)
    feats = lambda suffix: load_features(args.data, args.features, suffix)  # noqa: E731
    x = feats("")
    penalty = l2_penalty(args.data, args.features, args.prosody_weight)
    augmented = [feats(f"-v{k}") for k in range(1, args.variants)]
    y = np.array([LABELS.index(r["label"]) for r in rows])
    corpus = np.array([r["corpus"] for r in rows])
    clips = np.array([r["path"] for r in rows])
    speakers = np.array([f'{r["corpus"]}/{r["speaker"]}' for r in rows])
    scored = None if args.score_normalise == "same" else \
        per_corpus(x, [], {"corpus": corpus, "speaker": speakers}[args.score_normalise])[0]
    if args.score_variant != "0":
        how = args.score_normalise if args.score_normalise != "same" else \
            {"training": None, "corpus": "corpus", "corpus+speaker": "corpus", "speaker": "speaker"}[args.normalise]
        scored = feats(f"-v{args.score_variant}" if args.score_variant.isdigit() else f"-{args.score_variant}")
        if how is not None:
            scored = per_corpus(scored, [], {"corpus": corpus, "speaker": speakers}[how])[0]
    if args.normalise == "corpus":
        x, augmented = per_corpus(x, augmented, corpus)
    elif args.normalise == "speaker":
        x, augmented = per_corpus(x, augmented, speakers)
    elif args.normalise == "corpus+speaker":
        raw = x
        x, augmented = corpus_and_speaker_copies(x, augmented, corpus, speakers)
        augmented = augmented + class_mix_copies(raw, corpus, y, args.mix_copies)
    if args.floors:
        test = loco(x, y, corpus, CORPORA, args.head, args.l2[0], clips, penalty=penalty)
        floors = {}
        if os.path.exists(args.floors):
            with open(args.floors) as f:
                floors = json.load(f)
        name = " + ".join(args.features) + f", {args.head} (l2 {args.l2[0]})"
        floors[name] = {**{c: test[c][0] for c in CORPORA}, "mean": float(np.mean([test[c][0] for c in CORPORA]))}
        with open(args.floors, "w") as f:
            json.dump(floors, f, indent=2)
        print(name, json.dumps(floors[name]))
        return
    for l2 in args.l2:
        test = loco(x, y, corpus, CORPORA, args.head, l2, clips, augmented, scored, penalty)
        nested = {}
        for held in CORPORA:
            inner = loco(x, y, corpus, [c for c in CORPORA if c != held], args.head, l2, clips, augmented, scored,
                         penalty)
            nested[held] = float(np.mean([v[0] for v in inner.values()]))
        name = (f"{'+'.join(args.features)} {args.head} l2={l2} variants={args.variants} normalise={args.normalise}"
                f"{'' if args.score_normalise == 'same' else ' scored per ' + args.score_normalise}"
                f"{f' scored on variant {args.score_variant}' if args.score_variant != '0' else ''}"
                f"{f' mix-copies={args.mix_copies}' if args.mix_copies else ''}"
                f"{f' prosody-weight={args.prosody_weight:g}' if 'prosody' in args.features else ''}")
        mean, nested_mean = float(np.mean([v[0] for v in test.values()])), float(np.mean(list(nested.values())))
        print(f"{name}: test mean UA {mean:.3f} | nested mean {nested_mean:.3f}", flush=True)
        if args.record:
            record = {}
            if os.path.exists(args.record):
                with open(args.record) as f:
                    record = json.load(f)
            record[name] = {**{c: {"ua": test[c][0], "max_share_excess": float(np.max(test[c][1] - test[c][2]))}
                               for c in CORPORA}, "mean": mean, "nested_mean": nested_mean}
            with open(args.record, "w") as f:
                json.dump(record, f, indent=2)
        for c in CORPORA:
            share = " ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(test[c][1], test[c][2]))
            print(f"  {c:8s} test UA {test[c][0]:.3f}  nested {nested[c]:.3f}  predicted/true share {share}", flush=True)


if __name__ == "__main__":
    main()
