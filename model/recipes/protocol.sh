#!/usr/bin/env bash
# The study's protocol on our corpora (RAVDESS actors 01-20 in IEMOCAP's role, EmoDB in
# CREMA-D's): 5 speaker folds of 4 RAVDESS actors (2 female, 2 male); per fold train on 3,
# validate on 1, test on 1; each fold with and without EmoDB added to training (never to
# validation or test). Then the cross-corpus test: a model trained on RAVDESS only, evaluated
# on EmoDB's 4 classes. Every metric comes from `ser evaluate`; int8 against float32 from
# `ser quantization`.
#
#   model/recipes/protocol.sh WORK_DIR [SHARED_DIR] [-- TRAINER OPTIONS]   (SHARED_DIR: ../shared)
#
# Trainer options (such as --arch compact) apply to every training run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work=${1:?work directory}; shift
shared="$root/../shared"
if [[ $# -gt 0 && "$1" != "--" ]]; then shared=$1; shift; fi
[[ $# -gt 0 && "$1" == "--" ]] && shift
options=("$@")
ser="$root/submit/ser"; train="/usr/bin/python3 $root/model/recipes/train_ser.py"
mkdir -p "$work"
start=$(date +%s)
"$root/model/recipes/fetch_speech_embedding.sh"

"$ser" prepare --corpus ravdess --root "$shared/corpora/ravdess" --corpus emodb --root "$shared/corpora/emodb/wav" \
  --folds 5 --output "$work/prepared" --overwrite

for variant in without-emodb with-emodb; do
  extra=(); [ "$variant" = with-emodb ] && extra=(--extra-corpus emodb)
  mkdir -p "$work/$variant"
  for fold in 1 2 3 4 5; do
    $train --data "$work/prepared" --out "$work/$variant/fold$fold" --test-fold "$fold" "${extra[@]}" \
      --int8-out "$work/$variant/fold$fold-int8" "${options[@]}" \
      > "$work/$variant/train-fold$fold.log" 2>&1
  done
  "$ser" evaluate --corpus ravdess --root "$shared/corpora/ravdess" --folds 5 \
    --model "$work/$variant/fold{fold}" --output "$work/eval-$variant" --overwrite
done

# Cross-corpus: trained on all 20 RAVDESS actors (fold 5 validates, none is held out), tested on EmoDB.
$train --data "$work/prepared" --out "$work/ravdess-all" --val-fold 5 --int8-out "$work/ravdess-all-int8" \
  "${options[@]}" > "$work/train-ravdess-all.log" 2>&1
"$ser" evaluate --corpus emodb --root "$shared/corpora/emodb/wav" --folds 5 --model "$work/ravdess-all" \
  --output "$work/eval-cross-emodb" --overwrite
# The same with EmoDB added to training: the production model when the folds show EmoDB helps.
$train --data "$work/prepared" --out "$work/ravdess-emodb-all" --val-fold 5 --extra-corpus emodb \
  --int8-out "$work/ravdess-emodb-all-int8" "${options[@]}" > "$work/train-ravdess-emodb-all.log" 2>&1
# Int8 against float32, in one run: size, throughput and the fold UA of both (RAVDESS only models).
"$ser" quantization --float "$work/without-emodb/fold{fold}" --int8 "$work/without-emodb/fold{fold}-int8" \
  --corpus ravdess --root "$shared/corpora/ravdess" --notes "$shared/corpora/ravdess" --minutes 20 \
  --output "$work/quantization" --overwrite
echo "protocol done in $(( $(date +%s) - start )) s"
