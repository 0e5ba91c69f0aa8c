#!/usr/bin/env python3
"""The leave-one-corpus-out report of a protocol run (`protocol.sh WORK`), read from `ser evaluate`'s
metrics.json files and the floors' floors.json: WORK/loco-report.md (tables) and
WORK/loco-report.json (the same figures, for the model card and manifests).

  /usr/bin/python3 model/recipes/loco_report.py WORK
"""
import json
import os
import sys

LABELS = ["anger", "happiness", "neutral", "sadness"]
CORPORA = ["ravdess", "emodb", "nemo", "ased"]
MAX_SHARE_EXCESS = 0.20  # a class predicted this much more often than it occurs marks a broken model


def load(path):
    with open(path) as f:
        return json.load(f)


def corpus_figures(metrics, corpus):
    c = metrics["corpora"][corpus]
    p = c["pooled"]
    shares = c["class_shares"]
    excess = max(shares["predicted"][k] - shares["true"][k] for k in LABELS)
    return {"n": p["n"], "ua": p["ua"], "wa": p["wa"], "macro_f1": p["macro_f1"],
            "recall": {k: p["per_class"][k]["recall"] for k in LABELS},
            "arousal_accuracy": c["arousal"]["accuracy"], "high_arousal_recall": c["arousal"]["high_recall"],
            "low_arousal_recall": c["arousal"]["low_recall"],
            "true_share": shares["true"], "predicted_share": shares["predicted"], "max_share_excess": excess}


def loco(work, variant):
    """Per held-out corpus figures of the LOCO models of `variant` (a folder under WORK/loco)."""
    out = {}
    for corpus in CORPORA:
        path = os.path.join(work, "loco", variant, f"eval-{corpus}", "metrics.json")
        if os.path.exists(path):
            out[corpus] = corpus_figures(load(path), corpus)
    if len(out) == len(CORPORA):
        out["mean_ua"] = sum(out[c]["ua"] for c in CORPORA) / len(CORPORA)
    return out


def table(rows, names=None):
    """The LOCO table of one variant; `names` gives a corpus's name in the first column."""
    head = ("| held-out corpus | clips | **UA** | WA | macro F1 | recall A / H / N / S "
            "| arousal acc. | predicted (true) share A / H / N / S | largest excess |\n"
            "|---|---|---|---|---|---|---|---|---|")
    lines = [head]
    for corpus in CORPORA:
        r = rows[corpus]
        recall = " / ".join(f"{r['recall'][k]:.2f}" for k in LABELS)
        shares = " / ".join(f"{r['predicted_share'][k]:.2f} ({r['true_share'][k]:.2f})" for k in LABELS)
        lines.append(f"| {(names or {}).get(corpus, corpus)} | {r['n']} | **{r['ua']:.3f}** | {r['wa']:.3f} | {r['macro_f1']:.3f} | {recall} "
                     f"| {r['arousal_accuracy']:.3f} | {shares} | {r['max_share_excess']:+.2f} |")
    lines.append(f"| **mean** | | **{rows['mean_ua']:.3f}** | | | | | | |")
    return "\n".join(lines)


def main():
    work = sys.argv[1]
    report = {"loco": {}, "floors": load(os.path.join(work, "floors.json")) if os.path.exists(
        os.path.join(work, "floors.json")) else {}}
    md = ["# Leave-one-corpus-out report", "",
          "Each row: a model trained on the other three corpora (its epoch chosen on held-out speakers of those "
          "three), scored by `ser evaluate` on every 4-class clip of the held-out corpus.", ""]
    for variant in sorted(os.listdir(os.path.join(work, "loco"))):
        rows = loco(work, variant)
        if "mean_ua" not in rows:
            continue
        report["loco"][variant] = rows
        md += [f"## {variant}", "", table(rows), ""]
    if report["floors"]:
        md += ["## Floors (same corpora, same splits; logistic regression on pooled features)", "",
               "| floor | " + " | ".join(CORPORA) + " | mean |", "|---|---|---|---|---|---|"]
        for name, f in report["floors"].items():
            md.append(f"| {name} | " + " | ".join(f"{f[c]:.3f}" for c in CORPORA) + f" | {f['mean']:.3f} |")
        md.append("")
    for key, folder, how in (("ravdess_folds", "eval", "per archive (each fold's test actors together)"),
                             ("ravdess_folds_by_speaker", "eval-by-speaker", "per speaker")):
        folds = os.path.join(work, "ravdess-folds", folder, "metrics.json")
        if not os.path.exists(folds):
            continue
        c = load(folds)["corpora"]["ravdess"]
        o = c["over_folds"]
        report[key] = {"ua_mean": o["ua"]["mean"], "ua_std": o["ua"]["std"], "wa_mean": o["wa"]["mean"],
                       "macro_f1_mean": o["macro_f1"]["mean"],
                       "fold_ua": [round(f["ua"], 3) for f in sorted(c["per_fold"], key=lambda f: f["fold"])]}
        r = report[key]
        md += [f"## RAVDESS speaker folds (other corpora always in training), standardised {how}", "",
               f"UA {r['ua_mean']:.3f} ± {r['ua_std']:.3f}, WA {r['wa_mean']:.3f}, macro F1 {r['macro_f1_mean']:.3f}; "
               f"folds {r['fold_ua']}", ""]
    with open(os.path.join(work, "loco-report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(work, "loco-report.json"), "w") as f:
        json.dump(report, f, indent=2)
    print("\n".join(md))


if __name__ == "__main__":
    main()
