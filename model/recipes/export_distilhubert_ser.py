#!/usr/bin/env python3
"""Exports a DistilHuBERT-shaped speech emotion network to ONNX, with its model.json.

The network is the study's: DistilHuBERT's encoder (7-layer convolutional front end, 2
transformer layers of width 768, 12 heads; about 23.5 M parameters), mean pooling over
frames, and a 2-layer classification head (768 -> 256 -> 4 labels). Input: float32
[batch, samples] raw 16 kHz waveform; output: float32 [batch, 4] logits.

  /usr/bin/python3 model/recipes/export_distilhubert_ser.py --out model/distilhubert-shaped
      seeded random weights: for benchmarks only; the manifest says trained: false
  /usr/bin/python3 model/recipes/export_distilhubert_ser.py --hf-checkpoint DIR --out OUT
      the encoder's weights from a Hugging Face DistilHuBERT/HuBERT checkpoint directory
      (config.json + pytorch_model.bin, as ntu-spml/distilhubert ships it); the head is
      still untrained until the model is fine-tuned, and the manifest says so

Needs Debian's python3-torch, python3-torchaudio and python3-onnx (apt-get; no PyPI).
"""
import argparse, hashlib, json, os, sys

import torch
import torchaudio

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import qdq  # noqa: E402  (a sibling recipe module)

LABELS = ["anger", "happiness", "neutral", "sadness"]
RATE = 16000
WINDOW_SECONDS = 8.0

# DistilHuBERT (Chang et al., 2022) as ntu-spml/distilhubert configures it.
DISTILHUBERT = dict(
    extractor_mode="group_norm",
    extractor_conv_layer_config=[(512, 10, 5)] + [(512, 3, 2)] * 4 + [(512, 2, 2)] * 2,
    extractor_conv_bias=False,
    encoder_embed_dim=768,
    encoder_projection_dropout=0.0,
    encoder_pos_conv_kernel=128,
    encoder_pos_conv_groups=16,
    encoder_num_layers=2,
    encoder_num_heads=12,
    encoder_attention_dropout=0.1,
    encoder_ff_interm_features=3072,
    encoder_ff_interm_dropout=0.0,
    encoder_dropout=0.1,
    encoder_layer_norm_first=False,
    encoder_layer_drop=0.0,
)


class SpeechEmotionNet(torch.nn.Module):
    """Encoder -> mean over frames -> 2-layer head -> logits."""

    def __init__(self, encoder, width=768, hidden=256, labels=len(LABELS)):
        super().__init__()
        self.encoder = encoder
        self.head = torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Dropout(0.1),
                                        torch.nn.Linear(hidden, labels))

    def forward(self, waveform):
        frames, _ = self.encoder(waveform)
        return self.head(frames.mean(dim=1))


def config_from_hf(cfg):
    """torchaudio's wav2vec2_model arguments from a Hugging Face config.json (as torchaudio's own importer maps them)."""
    return dict(
        extractor_mode=f"{cfg['feat_extract_norm']}_norm",
        extractor_conv_layer_config=list(zip(cfg["conv_dim"], cfg["conv_kernel"], cfg["conv_stride"])),
        extractor_conv_bias=cfg["conv_bias"],
        encoder_embed_dim=cfg["hidden_size"],
        encoder_projection_dropout=cfg.get("feat_proj_dropout", 0.0),
        encoder_pos_conv_kernel=cfg["num_conv_pos_embeddings"],
        encoder_pos_conv_groups=cfg["num_conv_pos_embedding_groups"],
        encoder_num_layers=cfg["num_hidden_layers"],
        encoder_num_heads=cfg["num_attention_heads"],
        encoder_attention_dropout=cfg.get("attention_dropout", 0.1),
        encoder_ff_interm_features=cfg["intermediate_size"],
        encoder_ff_interm_dropout=cfg.get("activation_dropout", 0.0),
        encoder_dropout=cfg.get("hidden_dropout", 0.1),
        encoder_layer_norm_first=cfg.get("do_stable_layer_norm", False),
        encoder_layer_drop=0.0,
    )


def load_hf_encoder(directory):
    """Builds the encoder from a Hugging Face checkpoint directory, refusing any weight it cannot place."""
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    weights_file = os.path.join(directory, "pytorch_model.bin")
    if not os.path.exists(weights_file):
        sys.exit(f"{directory} has no pytorch_model.bin (safetensors cannot be read without the safetensors package)")
    state = torch.load(weights_file, map_location="cpu")
    state = {k.split(".", 1)[1] if k.split(".", 1)[0] in ("hubert", "wav2vec2", "distilhubert") else k: v
             for k, v in state.items()}
    encoder = torchaudio.models.wav2vec2_model(**config_from_hf(cfg), aux_num_out=None)
    if not cfg.get("feat_proj_layer_norm", True):
        # DistilHuBERT's projection has no layer norm; torchaudio's always has one.
        encoder.encoder.feature_projection.layer_norm = torch.nn.Identity()
    parts = {"feature_extractor.": encoder.feature_extractor, "feature_projection.": encoder.encoder.feature_projection,
             "encoder.": encoder.encoder.transformer}
    for prefix, module in parts.items():
        sub = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
        missing, unexpected = module.load_state_dict(sub, strict=False)
        if missing:
            sys.exit(f"checkpoint {directory} lacks weights for {prefix}: {missing[:5]}")
        if unexpected:
            print(f"note: ignored checkpoint weights under {prefix}: {unexpected[:5]}", file=sys.stderr)
    return encoder, cfg


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="output model directory")
    p.add_argument("--hf-checkpoint", help="Hugging Face DistilHuBERT/HuBERT checkpoint directory")
    p.add_argument("--seed", type=int, default=20251222)
    p.add_argument("--opset", type=int, default=14)
    p.add_argument("--int8-out", help="also write an int8 QDQ copy here (calibrated on --calibration-data)")
    p.add_argument("--calibration-data", help="a `ser prepare` output whose first windows calibrate int8 "
                                              "(default: seeded noise bursts, enough for timing an untrained network)")
    a = p.parse_args()

    torch.manual_seed(a.seed)
    if a.hf_checkpoint:
        encoder, _ = load_hf_encoder(a.hf_checkpoint)
        origin = f"encoder from Hugging Face checkpoint {os.path.abspath(a.hf_checkpoint)}; head UNTRAINED"
    else:
        encoder = torchaudio.models.wav2vec2_model(**DISTILHUBERT, aux_num_out=None)
        origin = f"seeded random weights (seed {a.seed}): UNTRAINED, for benchmarks only"
    model = SpeechEmotionNet(encoder).eval()
    params = sum(t.numel() for t in model.parameters())

    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "model.onnx")
    dummy = torch.zeros(2, int(RATE * WINDOW_SECONDS))
    with torch.no_grad():
        torch.onnx.export(model, dummy, onnx_path, input_names=["waveform"], output_names=["logits"],
                          dynamic_axes={"waveform": {0: "batch", 1: "samples"}, "logits": {0: "batch"}},
                          opset_version=a.opset, do_constant_folding=True)
    with open(onnx_path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        "name": "distilhubert-shaped-ser",
        "version": "1",
        "trained": False,
        "description": f"DistilHuBERT-shaped SER network, {params / 1e6:.1f} M parameters; {origin}.",
        "labels": LABELS,
        "sample_rate": RATE,
        "window_seconds": WINDOW_SECONDS,
        "input_name": "waveform",
        "output_name": "logits",
        "output_kind": "logits",
        "preprocessing": {"trim_top_db": 20, "trim_frame_length": 2048, "trim_hop_length": 512,
                          "pre_emphasis": 0.97, "peak_normalize": 0.95},
        "padding": "zero_pad_to_window",
        "quantization": "none",
        "onnx_sha256": sha,
        "metrics": {},
        "parameters": params,
        "recipe": "model/recipes/export_distilhubert_ser.py",
    }
    with open(os.path.join(a.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}: {params / 1e6:.2f} M parameters, {os.path.getsize(onnx_path) / 1e6:.1f} MB, sha256 {sha}")
    if a.int8_out:
        batches, source = calibration_batches(a.calibration_data, a.seed)
        qdq.write_int8(model, batches, a.out, a.int8_out, manifest, source)


def calibration_batches(prepared, seed, windows=32, batch=8):
    """Calibration windows: the first of a `ser prepare` output, or seeded noise bursts."""
    n = int(RATE * WINDOW_SECONDS)
    if prepared:
        import train_ser
        _, rows, shards = train_ser.load_prepared(prepared)
        x = torch.stack([train_ser.window(shards, r) for r in rows[:windows]])
        source = f"{len(x)} windows of {os.path.abspath(prepared)}"
    else:
        g = torch.Generator().manual_seed(seed)
        envelope = (torch.rand(windows, n // 1600, generator=g) > 0.4).float().repeat_interleave(1600, dim=1)
        x = 0.3 * torch.randn(windows, n, generator=g) * envelope
        source = f"{windows} seeded noise bursts (no speech: fit for timing, not for accuracy)"
    return list(torch.split(x, batch)), source


if __name__ == "__main__":
    main()
