"""Static 8-bit quantization of an exported ONNX graph in QDQ form, calibrated in PyTorch.

ONNX Runtime runs integer kernels only for QDQ groups it can fuse: DequantizeLinear on the
activation and on the weight, the Conv or MatMul, and QuantizeLinear on its output become
QLinearConv / QLinearMatMul. Weight-only quantization is folded back to float32 at load, and
dynamic quantization of MatMul leaves convolutions in float32 (see the design notes). So every
Conv and MatMul with a weight that comes from a torch.nn.Conv1d/Conv2d/Linear gets:
  - its input activation: QuantizeLinear/DequantizeLinear, uint8, asymmetric, with the range
    calibrated on real windows;
  - its weight: int8, symmetric, per output channel for Conv, per tensor for MatMul;
  - its bias (Conv): int32 with scale = activation scale x weight scale;
  - its output: QuantizeLinear/DequantizeLinear with the calibrated range, unless it is a
    graph output (the logits stay float32).
Everything else stays float32: fixed kernels that are no module's weights (the STFT and mel
matrices), norms, attention's activation x activation products, and Linear layers on 2-D
inputs, which export as Gemm (the small classifiers at the end).

python3-onnxruntime is not in Debian, so calibration cannot run the ONNX graph in Python; it
runs the same network in PyTorch with forward hooks instead, and finds each module's node in
the exported graph by its weight values (the exporter renames and transposes weights).
"""
import hashlib
import json
import os
import re

import numpy as np
import onnx
import onnx.numpy_helper as nh
import torch
from onnx import helper, TensorProto

QUANTIZABLE = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Linear)


class Calibrator:
    """Records, per quantizable module, the range of its input and of its output (for Linear,
    without its bias: the exported MatMul adds it in a separate node), averaged over batches (a moving-average min/max: one loud batch does not set
    the scale for all)."""

    def __init__(self, model):
        self.ranges = {}
        self.handles = []
        self.modules = {}
        for name, module in model.named_modules():
            if isinstance(module, QUANTIZABLE):
                self.modules[name] = module
                self.handles.append(module.register_forward_hook(self._hook(name)))

    def _hook(self, name):
        def record(module, inputs, output):
            x = inputs[0].detach()
            y = output.detach()
            if isinstance(module, torch.nn.Linear) and module.bias is not None:
                y = y - module.bias.detach()
            entry = self.ranges.setdefault(name, {"in": [], "out": []})
            entry["in"].append((float(x.min()), float(x.max())))
            entry["out"].append((float(y.min()), float(y.max())))
        return record

    def close(self):
        for h in self.handles:
            h.remove()
        return {name: {k: (float(np.mean([r[0] for r in v])), float(np.mean([r[1] for r in v])))
                       for k, v in entry.items()}
                for name, entry in self.ranges.items()}


def calibrate(model, batches):
    """Ranges per module name, from running `model` (eval mode) on each batch."""
    model.eval()
    calibrator = Calibrator(model)
    with torch.no_grad():
        for x in batches:
            model(x)
    return calibrator.close(), calibrator.modules


def _uint8_params(lo, hi):
    lo, hi = min(lo, 0.0), max(hi, 0.0)  # zero must be exact (padding, ReLU)
    scale = max(hi - lo, 1e-8) / 255.0
    zero_point = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zero_point)


def _weight_key(array):
    return (array.shape, hash(np.ascontiguousarray(array, dtype=np.float32).tobytes()))


def quantize(float_path, out_path, ranges, modules):
    """Writes a QDQ copy of the ONNX graph at float_path; returns the number of quantized nodes."""
    model = onnx.load(float_path)
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    graph_outputs = {o.name for o in graph.output}
    by_weight = {}
    for name, module in modules.items():
        if name not in ranges:
            continue
        w = module.weight.detach().numpy()
        by_weight[_weight_key(w)] = name
        if w.ndim == 2:
            by_weight[_weight_key(w.T)] = name  # Linear exported as MatMul with the transposed weight

    new_inits, new_nodes = [], []
    activation_dq = {}  # activation name -> its dequantized name (shared by every consumer)
    renamed = {}        # output name -> dequantized output name, for downstream consumers
    quantized = 0

    def qdq(tensor, lo, hi):
        if tensor in activation_dq:
            return activation_dq[tensor]
        scale, zp = _uint8_params(lo, hi)
        s, z = f"{tensor}_scale", f"{tensor}_zero_point"
        new_inits.append(nh.from_array(np.array(scale, dtype=np.float32), s))
        new_inits.append(nh.from_array(np.array(zp, dtype=np.uint8), z))
        new_nodes.append(helper.make_node("QuantizeLinear", [tensor, s, z], [f"{tensor}_q"], name=f"{tensor}_Q"))
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{tensor}_q", s, z], [f"{tensor}_dq"], name=f"{tensor}_DQ"))
        activation_dq[tensor] = f"{tensor}_dq"
        return activation_dq[tensor]

    plan = []
    for node in graph.node:
        module = None
        if node.op_type in ("Conv", "MatMul") and len(node.input) >= 2 and node.input[1] in inits:
            module = by_weight.get(_weight_key(nh.to_array(inits[node.input[1]]).astype(np.float32)))
        plan.append((node, module))

    for node, module in plan:
        node.input[:] = [renamed.get(i, i) for i in node.input]
        if module is None:
            new_nodes.append(node)
            continue
        r = ranges[module]
        x_dq = qdq(node.input[0], *r["in"])
        x_scale, _ = _uint8_params(*r["in"])
        w = nh.to_array(inits[node.input[1]]).astype(np.float32)
        wname = node.input[1]
        if node.op_type == "Conv":
            axis_max = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
            w_scale = np.maximum(axis_max, 1e-12) / 127.0
            if len(node.input) > 2 and node.input[2] in inits:
                # the int32 bias has scale x_scale * w_scale: a channel with (near) zero weights
                # and a bias would overflow it, so its weight scale grows until the bias fits
                b = np.abs(nh.to_array(inits[node.input[2]]).astype(np.float64))
                w_scale = np.maximum(w_scale, b / (float(x_scale) * 2 ** 30)).astype(np.float32)
            wq = np.clip(np.round(w / w_scale.reshape((-1,) + (1,) * (w.ndim - 1))), -127, 127).astype(np.int8)
            zp = np.zeros(w.shape[0], dtype=np.int8)
            axis = 0
        else:
            w_scale = np.array(max(np.abs(w).max(), 1e-12) / 127.0, dtype=np.float32)
            wq = np.clip(np.round(w / w_scale), -127, 127).astype(np.int8)
            zp = np.array(0, dtype=np.int8)
            axis = None
        new_inits += [nh.from_array(wq, f"{wname}_q"), nh.from_array(w_scale.astype(np.float32), f"{wname}_scale"),
                      nh.from_array(zp, f"{wname}_zero_point")]
        attrs = {"axis": axis} if axis is not None else {}
        new_nodes.append(helper.make_node("DequantizeLinear", [f"{wname}_q", f"{wname}_scale", f"{wname}_zero_point"],
                                          [f"{wname}_dq"], name=f"{wname}_DQ", **attrs))
        inputs = [x_dq, f"{wname}_dq"]
        if node.op_type == "Conv" and len(node.input) > 2 and node.input[2] in inits:
            b = nh.to_array(inits[node.input[2]]).astype(np.float32)
            b_scale = (x_scale * w_scale).astype(np.float32)
            bq = np.round(b / b_scale).astype(np.int32)
            bname = node.input[2]
            new_inits += [nh.from_array(bq, f"{bname}_q"), nh.from_array(b_scale, f"{bname}_scale"),
                          nh.from_array(np.zeros(len(b), dtype=np.int32), f"{bname}_zero_point")]
            new_nodes.append(helper.make_node("DequantizeLinear", [f"{bname}_q", f"{bname}_scale", f"{bname}_zero_point"],
                                              [f"{bname}_dq"], name=f"{bname}_DQ", axis=0))
            inputs.append(f"{bname}_dq")
        node.input[:] = inputs
        new_nodes.append(node)
        out = node.output[0]
        if out not in graph_outputs:
            renamed[out] = qdq(out, *r["out"])
        quantized += 1

    # drop the float weights now replaced, keep everything else
    used = {i for n in new_nodes for i in n.input}
    graph.ClearField("node")
    graph.node.extend(new_nodes)
    kept = [t for t in graph.initializer if t.name in used]
    graph.ClearField("initializer")
    graph.initializer.extend(kept + new_inits)
    onnx.checker.check_model(model)
    onnx.save(model, out_path)
    return quantized


def write_manifest(path, manifest):
    """model.json, indented, with each list of numbers (archive_normalisation's arrays) on one line."""
    text = re.sub(r"\[\s*(-?[0-9][-0-9.eE+]*(?:,\s*-?[0-9][-0-9.eE+]*)*)\s*\]",
                  lambda m: "[" + re.sub(r",\s*", ", ", m.group(1)) + "]", json.dumps(manifest, indent=2))
    with open(path, "w") as f:
        f.write(text + "\n")


def write_int8(model, batches, float_dir, out, manifest, calibration, keep_float=None):
    """The int8 QDQ copy of an exported model, with its own manifest; modules for which
    `keep_float(name, module)` is true stay float32."""
    os.makedirs(out, exist_ok=True)
    ranges, modules = calibrate(model, batches)
    if keep_float is not None:
        modules = {n: m for n, m in modules.items() if not keep_float(n, m)}
    path = os.path.join(out, "model.onnx")
    nodes = quantize(os.path.join(float_dir, "model.onnx"), path, ranges, modules)
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    quantized = dict(manifest, quantization="int8-qdq", onnx_sha256=sha,
                     description=manifest["description"] + f" Int8 QDQ: {nodes} Conv/MatMul nodes quantized, "
                                 f"calibrated on {calibration}.")
    quantized["quantized_from"] = manifest["onnx_sha256"]
    quantized["calibration"] = calibration
    write_manifest(os.path.join(out, "model.json"), quantized)
    print(f"wrote {out}: int8 QDQ, {nodes} nodes quantized, {os.path.getsize(path) / 1e6:.2f} MB, sha256 {sha}",
          flush=True)
