#!/usr/bin/env bash
# The cross-corpus protocol: leave-one-corpus-out (LOCO) over RAVDESS (actors 01-20), EmoDB, nEMO and
# ASED, the study's cross-corpus design generalised. Every reported metric comes from `ser evaluate`.
#
#   model/recipes/protocol.sh WORK_DIR [SHARED_DIR] [-- TRAINER OPTIONS]   (SHARED_DIR: ../shared)
#
# 1. `ser prepare` cuts the four corpora into windows with the serving pipeline (5 speaker folds each).
# 2. Floors and frozen front ends: logistic regression on pooled log-mel + MFCC statistics, on those
#    joined with mn04's pooled features (the issue's two floors), and on each frozen encoder alone
#    (speech_embedding, YAMNet, mn04): held-out clip-level UA per corpus (loco.py --floors).
# 3. LOCO: for each corpus, a model trained on the other three (fold 5's speakers of those three pick
#    its settings; the held-out corpus is never seen), float32 and int8, each scored by `ser evaluate`
#    on the whole held-out corpus. Variants (ablation rows) differ in recipe and options. The shipped
#    recipe: padding-invariant pooled features, each window standardised per corpus and, as a second
#    copy, per speaker (per archive or per speaker when scoring), logistic regression on each window
#    clean and in 2 augmented variants (a random room, equalisation, phone band, phone codec and
#    noise: channel_augment.py) and on 2 clean copies, each corpus standardised with the statistics of
#    a random class mix of itself; scored both ways. The same recipe and the clean-only one are also
#    scored, clip by clip on the cached features, on the held-out corpus through other channels (its
#    windows' own augmented variants, and a channel family no training variant uses:
#    loco.py --score-variant), WORK/channel-shift.json.
# 4. RAVDESS speaker folds (the study's Table II analog): 5 leave-4-actors-out folds with EmoDB, nEMO
#    and ASED always in training (the study's CREMA-D role), scored per archive and per speaker.
# 5. The production model: trained on all four corpora (fold 5 of each picks the epoch), int8; and
#    archive normalisation on small and class-skewed archives (archive_robustness.py).
# Then loco_report.py writes WORK/loco-report.md and .json; ship_default.py ships the model.
#
# Trainer options after -- apply to every training run of the shipped recipe (train_pooled.py).
# A second run in the same WORK reuses its preparation and cached features (remove WORK/prepared
# to start over). Optional ablations, each slower:
# SER_PROTOCOL_AUGMENTED=1: the zero-padded front ends' augmented variants (about 17 min of
#   features) and the recipe shipped before archive normalisation (training statistics, augmented);
# SER_PROTOCOL_MORE=1: a corpus-adversarial MLP head, and int8 with every convolution quantized;
# SER_PROTOCOL_FINETUNE=1: mn04's upper blocks fine-tuned (train_ser.py --arch mn04).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=${1:?work directory}; shift
shared="$root/../shared"
if [[ $# -gt 0 && "$1" != "--" ]]; then shared=$1; shift; fi
[[ $# -gt 0 && "$1" == "--" ]] && shift
options=("$@")
ser="$root/submit/ser"; py=/usr/bin/python3; recipes="$root/model/recipes"
corpora=(ravdess emodb nemo ased)
declare -A roots=([ravdess]="$shared/corpora/ravdess" [emodb]="$shared/corpora/emodb/wav"
  [nemo]="$shared/corpora/nemo" [ased]="$shared/corpora/ased")
weights=(--mn04-weights "$shared/models/mn04_as_mAP_432.pt")
pooled="$recipes/train_pooled.py"; finetune="$recipes/train_ser.py"
mkdir -p "$work"
start=$(date +%s)
: > "$work/protocol.log"
clock() { echo "protocol: $1 at $(( $(date +%s) - start )) s" | tee -a "$work/protocol.log"; }

"$recipes/fetch_speech_embedding.sh"  # the speech_embedding front end, for its frozen-encoder row
corpus_args=(); for c in "${corpora[@]}"; do corpus_args+=(--corpus "$c" --root "${roots[$c]}"); done
if [ ! -f "$work/prepared/index.jsonl" ]; then
  "$ser" prepare "${corpus_args[@]}" --folds 5 --output "$work/prepared" --overwrite
fi
clock prepared

# Floors (item 5 of the issue) and frozen front ends: same corpora, same held-out splits, clip-level UA
rm -f "$work/floors.json"
$py "$recipes/frozen_features.py" --data "$work/prepared" \
  --front mel-mfcc mn04 mel-mfcc-unpadded mn04-unpadded speech-embedding yamnet \
  --mn04 "$shared/models/mn04_as_mAP_432.pt" --yamnet "$shared/models/yamnet.tflite" > "$work/features.log" 2>&1
clock features
# each window's augmented variants 1 and 2 (the study's augmentation, then a random channel), pooled once
for k in 1 2; do
  $py "$recipes/frozen_features.py" --data "$work/prepared" --front mel-mfcc-unpadded mn04-unpadded \
    --variant $k --mn04 "$shared/models/mn04_as_mAP_432.pt" > "$work/features-v$k.log" 2>&1 &
done
wait
clock "augmented features"
# every window through a channel family no training variant uses (channel_augment.HeldOutChannel)
$py "$recipes/frozen_features.py" --data "$work/prepared" --front mel-mfcc-unpadded mn04-unpadded \
  --held-out-channel --mn04 "$shared/models/mn04_as_mAP_432.pt" > "$work/features-held-out-channel.log" 2>&1
clock "held-out channel features"
for features in "mel-mfcc" "mel-mfcc mn04" "speech-embedding" "yamnet" "mn04"; do
  # shellcheck disable=SC2086
  $py "$recipes/loco.py" --data "$work/prepared" --features $features --l2 1e-2 --floors "$work/floors.json"
done
clock floors

# loco_variant NAME TRAINER TRAINER-OPTIONS...: the four LOCO models of one configuration, float32 and int8
loco_variant() {
  local name=$1 trainer=$2; shift 2
  local dir="$work/loco/$name"
  mkdir -p "$dir"
  for held in "${corpora[@]}"; do
    local train=(); for c in "${corpora[@]}"; do [ "$c" != "$held" ] && train+=("$c"); done
    $py "$trainer" --data "$work/prepared" --out "$dir/$held" --int8-out "$dir/$held-int8" \
      --train-corpus "$(IFS=,; echo "${train[*]}")" --val-fold 5 "$@" > "$dir/train-$held.log" 2>&1
    "$ser" evaluate --corpus "$held" --root "${roots[$held]}" --model "$dir/$held" --output "$dir/eval-$held" --overwrite
    mkdir -p "$work/loco/$name-int8"
    "$ser" evaluate --corpus "$held" --root "${roots[$held]}" --model "$dir/$held-int8" \
      --output "$work/loco/$name-int8/eval-$held" --overwrite
  done
  clock "LOCO $name"
}
mix_copies=2  # class-mix copies in the shipped recipe (train_pooled.py --mix-copies)
shipped=(--head logreg --augment-variants 3 --unpadded --normalise archive+speaker --mix-copies $mix_copies "${weights[@]}")
name=pooled-logreg-archive-speaker-augmented-mix
# the shipped recipe: padding-invariant pooled log-mel/MFCC + mn04 features, each corpus and each
# speaker standardised with its own statistics (each archive, or each speaker, when scoring), every
# window clean and in its 2 augmented variants, and 2 more clean copies standardised with random class
# mixes' statistics, logistic regression, L2 chosen on validation speakers
loco_variant "$name" "$pooled" "${shipped[@]}" "${options[@]}"
# the same models scored per speaker (ser.feature-normalisation=speaker: each held-out speaker's
# windows standardised with their own statistics)
echo "ser.feature-normalisation=speaker" > "$work/by-speaker.properties"
by_speaker=(--conf "$work/by-speaker.properties")
for held in "${corpora[@]}"; do
  for kind in "" -int8; do
    "$ser" evaluate --corpus "$held" --root "${roots[$held]}" --model "$work/loco/$name/$held$kind" \
      "${by_speaker[@]}" --output "$work/loco/$name-by-speaker$kind/eval-$held" --overwrite
  done
done
clock "LOCO $name, scored per speaker"

# Through other channels: the shipped recipe and the clean-only one, each held-out corpus scored as it
# is (variant 0), in its windows' augmented variants 1 and 2 and through the held-out channel family,
# each standardised with its own statistics (clip level on the cached features, L2 0.1 as the
# shipped models mostly chose)
rm -f "$work/channel-shift.json"
for variants in 3 1; do
  mix=(); [ "$variants" = 3 ] && mix=(--mix-copies $mix_copies)  # as shipped
  for k in 0 1 2 held-out-channel; do
    $py "$recipes/loco.py" --data "$work/prepared" --features mel-mfcc-unpadded mn04-unpadded --l2 0.1 \
      --normalise corpus+speaker --variants $variants "${mix[@]}" --score-variant $k --record "$work/channel-shift.json"
  done
done
clock "channel shift"

# RAVDESS speaker folds with the other corpora in training
mkdir -p "$work/ravdess-folds"
for fold in 1 2 3 4 5; do
  $py "$pooled" --data "$work/prepared" --out "$work/ravdess-folds/fold$fold" --train-corpus ravdess \
    --test-fold "$fold" --val-fold $(( fold % 5 + 1 )) --extra-corpus emodb --extra-corpus nemo --extra-corpus ased \
    "${shipped[@]}" "${options[@]}" > "$work/ravdess-folds/train-fold$fold.log" 2>&1
done
"$ser" evaluate --corpus ravdess --root "${roots[ravdess]}" --folds 5 --model "$work/ravdess-folds/fold{fold}" \
  --output "$work/ravdess-folds/eval" --overwrite
"$ser" evaluate --corpus ravdess --root "${roots[ravdess]}" --folds 5 --model "$work/ravdess-folds/fold{fold}" \
  "${by_speaker[@]}" --output "$work/ravdess-folds/eval-by-speaker" --overwrite
clock "RAVDESS folds"

# The production model: all four corpora
$py "$pooled" --data "$work/prepared" --out "$work/all-corpora" --int8-out "$work/all-corpora-int8" \
  --train-corpus ravdess,emodb,nemo,ased --val-fold 5 "${shipped[@]}" "${options[@]}" \
  > "$work/train-all-corpora.log" 2>&1
# how archive normalisation holds on small and class-skewed archives (the card's robustness table)
$py "$recipes/archive_robustness.py" "$work" --mix-copies $mix_copies > "$work/archive-robustness.md"
$py "$recipes/loco_report.py" "$work" > /dev/null
clock "production model"

# ablations. The recipe shipped before class-mix copies, scored both ways
name=pooled-logreg-archive-speaker-augmented
loco_variant "$name" "$pooled" --head logreg --augment-variants 3 --unpadded --normalise archive+speaker \
  "${weights[@]}" "${options[@]}"
for held in "${corpora[@]}"; do
  "$ser" evaluate --corpus "$held" --root "${roots[$held]}" --model "$work/loco/$name/$held" \
    "${by_speaker[@]}" --output "$work/loco/$name-by-speaker/eval-$held" --overwrite
done
clock "LOCO $name, scored per speaker"
# the recipe shipped before augmented training: clean windows only
loco_variant pooled-logreg-archive-speaker "$pooled" --head logreg --augment-variants 1 --unpadded \
  --normalise archive+speaker "${weights[@]}" "${options[@]}"
# the same features zero-padded to 8 s (published squeeze-excitation), and both front ends
# standardised with the training windows' statistics (one standardisation for every corpus)
# the recipe shipped before per-speaker training: each corpus standardised with its own statistics only
loco_variant pooled-logreg-archive "$pooled" --head logreg --augment-variants 1 --unpadded --normalise archive \
  "${weights[@]}" "${options[@]}"
loco_variant pooled-logreg-archive-padded "$pooled" --head logreg --augment-variants 1 --normalise archive \
  "${weights[@]}" "${options[@]}"
loco_variant pooled-logreg-unpadded "$pooled" --head logreg --augment-variants 1 --unpadded "${weights[@]}" "${options[@]}"
loco_variant pooled-logreg "$pooled" --head logreg --augment-variants 1 "${weights[@]}" "${options[@]}"
if [ -n "${SER_PROTOCOL_AUGMENTED:-}" ]; then
  # augmented variants of every window (the study's augmentation, then a random channel), pooled once
  for k in 1 2; do
    $py "$recipes/frozen_features.py" --data "$work/prepared" --front mel-mfcc mn04 \
      --variant $k --mn04 "$shared/models/mn04_as_mAP_432.pt" > "$work/features-padded-v$k.log" 2>&1 &
  done
  wait
  clock "augmented features, zero-padded"
  loco_variant pooled-logreg-augmented "$pooled" --head logreg --augment-variants 3 "${weights[@]}" "${options[@]}"
fi
if [ -n "${SER_PROTOCOL_MORE:-}" ]; then
  loco_variant pooled-dann "$pooled" --head dann --l2 1e-2 --augment-variants 1 "${weights[@]}"
  # int8 copies with mn04's depthwise convolutions quantized too (train_pooled keeps them float32)
  mkdir -p "$work/loco/pooled-logreg-archive-int8-all-convs"
  for held in "${corpora[@]}"; do
    train=(); for c in "${corpora[@]}"; do [ "$c" != "$held" ] && train+=("$c"); done
    $py "$pooled" --data "$work/prepared" --out "$work/loco/all-convs/$held" --int8-out "$work/loco/all-convs/$held-int8" \
      --train-corpus "$(IFS=,; echo "${train[*]}")" --val-fold 5 "${shipped[@]}" --int8-all-convs \
      "${options[@]}" > "$work/loco/all-convs-train-$held.log" 2>&1
    "$ser" evaluate --corpus "$held" --root "${roots[$held]}" --model "$work/loco/all-convs/$held-int8" \
      --output "$work/loco/pooled-logreg-archive-int8-all-convs/eval-$held" --overwrite
  done
fi
if [ -n "${SER_PROTOCOL_FINETUNE:-}" ]; then
  # ablation (about 40 min more): mn04's upper blocks fine-tuned, with the channel augmentation
  loco_variant mn04-finetuned "$finetune" --arch mn04 --balance corpus-class --channel-augment --augment-variants 4 \
    --epochs 4 --patience 2 "${weights[@]}"
fi

$py "$recipes/loco_report.py" "$work" > /dev/null
clock done
