#!/usr/bin/env python3
"""Writes model/tiny-untrained: a tiny, seeded, UNTRAINED emotion model that keeps the model
contract (float32 [batch, samples] 16 kHz waveform in, [batch, 4] logits out, any length).

It is the embedded default until a trained model ships, and the model the tests use. Its four
features (mean |x|, RMS, mean |x[n] - x[n-1]|, peak; logs) go through a seeded random linear
layer: its outputs vary with the audio but mean nothing, and its manifest says trained: false.

Needs Debian's python3-onnx and python3-numpy:  /usr/bin/python3 model/recipes/make_tiny_model.py
"""
import hashlib, json, os, sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LABELS = ["anger", "happiness", "neutral", "sadness"]
out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tiny-untrained")
rng = np.random.default_rng(20251222)
weights = rng.normal(0.0, 1.0, size=(4, len(LABELS))).astype(np.float32)
bias = rng.normal(0.0, 0.1, size=(len(LABELS),)).astype(np.float32)

nodes = [
    helper.make_node("Abs", ["waveform"], ["abs"]),
    helper.make_node("ReduceMean", ["abs"], ["mean_abs"], axes=[1], keepdims=1),
    helper.make_node("Mul", ["waveform", "waveform"], ["sq"]),
    helper.make_node("ReduceMean", ["sq"], ["mean_sq"], axes=[1], keepdims=1),
    helper.make_node("Sqrt", ["mean_sq"], ["rms"]),
    helper.make_node("Slice", ["waveform", "one", "big", "axis1"], ["tail"]),
    helper.make_node("Slice", ["waveform", "zero", "minus_one", "axis1"], ["head"]),
    helper.make_node("Sub", ["tail", "head"], ["diff"]),
    helper.make_node("Abs", ["diff"], ["abs_diff"]),
    helper.make_node("ReduceMean", ["abs_diff"], ["mean_abs_diff"], axes=[1], keepdims=1),
    helper.make_node("ReduceMax", ["abs"], ["peak"], axes=[1], keepdims=1),
    helper.make_node("Concat", ["mean_abs", "rms", "mean_abs_diff", "peak"], ["features"], axis=1),
    helper.make_node("Add", ["features", "epsilon"], ["features_eps"]),
    helper.make_node("Log", ["features_eps"], ["log_features"]),
    helper.make_node("MatMul", ["log_features", "weights"], ["projected"]),
    helper.make_node("Add", ["projected", "bias"], ["logits"]),
]
initializers = [
    numpy_helper.from_array(np.array([1], np.int64), "one"),
    numpy_helper.from_array(np.array([0], np.int64), "zero"),
    numpy_helper.from_array(np.array([-1], np.int64), "minus_one"),
    numpy_helper.from_array(np.array([2**62], np.int64), "big"),
    numpy_helper.from_array(np.array([1], np.int64), "axis1"),
    numpy_helper.from_array(np.array([1e-6], np.float32), "epsilon"),
    numpy_helper.from_array(weights, "weights"),
    numpy_helper.from_array(bias, "bias"),
]
graph = helper.make_graph(
    nodes, "tiny_untrained_ser",
    [helper.make_tensor_value_info("waveform", TensorProto.FLOAT, ["batch", "samples"])],
    [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(LABELS)])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="ser-recipes")
model.ir_version = 8
onnx.checker.check_model(model)
os.makedirs(out_dir, exist_ok=True)
data = model.SerializeToString()
with open(os.path.join(out_dir, "model.onnx"), "wb") as f:
    f.write(data)
manifest = {
    "name": "tiny-untrained",
    "version": "1",
    "trained": False,
    "description": "UNTRAINED: 4 signal statistics through a seeded random linear layer. For tests and the demo "
                   "only; its emotions mean nothing.",
    "labels": LABELS,
    "sample_rate": 16000,
    "window_seconds": 8.0,
    "input_name": "waveform",
    "output_name": "logits",
    "output_kind": "logits",
    "preprocessing": {"trim_top_db": 20, "trim_frame_length": 2048, "trim_hop_length": 512,
                      "pre_emphasis": 0.97, "peak_normalize": 0.95},
    "padding": "zero_pad_to_window",
    "quantization": "none",
    "onnx_sha256": hashlib.sha256(data).hexdigest(),
    "metrics": {},
    "recipe": "model/recipes/make_tiny_model.py",
}
with open(os.path.join(out_dir, "model.json"), "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print("wrote", out_dir, len(data), "bytes, sha256", manifest["onnx_sha256"])
