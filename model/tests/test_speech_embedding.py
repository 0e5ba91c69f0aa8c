"""Unit tests of the speech-embedding network (they need the fetched front end:
model/recipes/fetch_speech_embedding.sh; .ci/run fetches it) and of the int8 QDQ quantizer."""
import os
import sys
import tempfile
import unittest

import numpy as np
import onnx
import onnx.numpy_helper as nh
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import qdq  # noqa: E402
import speech_embedding as se  # noqa: E402

EMBEDDING_DIR = os.path.join(os.path.dirname(__file__), "..", "speech-embedding")
FETCHED = os.path.exists(os.path.join(EMBEDDING_DIR, se.EMBEDDING_FILE))


@unittest.skipUnless(FETCHED, "needs model/recipes/fetch_speech_embedding.sh")
class SpeechEmbeddingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        torch.manual_seed(0)
        cls.net = se.SpeechEmbeddingSerNet(EMBEDDING_DIR, 4).eval()

    def test_one_embedding_per_80_ms_and_four_logits_for_any_batch_and_length(self):
        with torch.no_grad():
            embeddings, mask, stats = self.net.front(torch.randn(2, 128000) * 0.1)
            self.assertEqual(tuple(embeddings.shape), (2, 91, 96))  # (797 frames - 76) / 8 + 1
            self.assertEqual(tuple(stats.shape), (2, 64))
            self.assertEqual(tuple(self.net(torch.randn(3, 40000) * 0.1).shape), (3, 4))

    def test_embeddings_over_padding_are_masked(self):
        x = torch.zeros(1, 128000)
        x[0, :32000] = torch.randn(32000) * 0.1  # 2 s of signal, then zero padding
        with torch.no_grad():
            _, mask, _ = self.net.front(x)
        # embedding j is centred on frame 8j + 38, i.e. at (8j + 38) * 10 ms + 16 ms
        self.assertEqual(mask[0, :20].min().item(), 1.0)
        self.assertEqual(mask[0, 30:].max().item(), 0.0)

    def test_zero_padding_barely_changes_the_scores(self):
        speech = torch.randn(1, 48000) * 0.1
        with torch.no_grad():
            short = self.net(speech)
            padded = self.net(torch.nn.functional.pad(speech, (0, 80000)))
        # the head's convolutions see the first masked embedding at the edge, so not exact
        self.assertLess((short.softmax(1) - padded.softmax(1)).abs().max().item(), 0.05)

    def test_the_front_end_is_frozen_and_the_head_small(self):
        self.assertFalse(any(p.requires_grad for p in self.net.front.parameters()))
        self.assertLess(sum(p.numel() for p in self.net.head.parameters()), 200_000)

    def test_a_file_with_other_contents_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            for name in (se.MEL_FILE, se.EMBEDDING_FILE):
                with open(os.path.join(d, name), "wb") as f:
                    f.write(b"not the expected model")
            with self.assertRaisesRegex(ValueError, "SHA-256"):
                se.OpenWakeWordMel(d)


class QdqTest(unittest.TestCase):
    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(1, 8, 5, stride=2)
            self.proj = torch.nn.Linear(8, 6)
            self.out = torch.nn.Linear(6, 3)

        def forward(self, x):
            h = torch.relu(self.conv(x.unsqueeze(1))).transpose(1, 2)  # [B, T, 8]
            return self.out(torch.relu(self.proj(h)).mean(dim=1))      # 2-D: exported as Gemm

    def test_conv_and_matmul_get_qdq_and_int8_weights_that_dequantize_close_to_float(self):
        torch.manual_seed(1)
        net = self.Net().eval()
        with tempfile.TemporaryDirectory() as d:
            f32, i8 = os.path.join(d, "f32.onnx"), os.path.join(d, "i8.onnx")
            torch.onnx.export(net, torch.zeros(2, 400), f32, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "b", 1: "n"}}, opset_version=14)
            ranges, modules = qdq.calibrate(net, [torch.randn(4, 400) for _ in range(3)])
            self.assertEqual(qdq.quantize(f32, i8, ranges, modules), 2)  # conv and proj; out is a Gemm
            g = onnx.load(i8).graph
            ops = [n.op_type for n in g.node]
            self.assertEqual(ops.count("QuantizeLinear"), 4)  # inputs and outputs of conv and proj
            inits = {t.name: nh.to_array(t) for t in g.initializer}
            conv = next(n for n in g.node if n.op_type == "Conv")
            dq = next(n for n in g.node if n.output[0] == conv.input[1])
            w_q, scale = inits[dq.input[0]], inits[dq.input[1]]
            self.assertEqual(w_q.dtype, np.int8)
            self.assertEqual(scale.shape, (8,))  # per output channel
            w = net.conv.weight.detach().numpy()
            err = np.abs(w_q.astype(np.float32) * scale[:, None, None] - w)
            self.assertTrue(np.all(err <= scale[:, None, None] / 2 + 1e-7))
            bias_dq = next(n for n in g.node if n.output[0] == conv.input[2])
            self.assertEqual(inits[bias_dq.input[0]].dtype, np.int32)

    def test_calibration_ranges_cover_what_the_modules_saw(self):
        net = self.Net().eval()
        x = torch.randn(2, 400)
        ranges, _ = qdq.calibrate(net, [x])
        lo, hi = ranges["conv"]["in"]
        self.assertAlmostEqual(lo, x.min().item(), places=5)
        self.assertAlmostEqual(hi, x.max().item(), places=5)
        self.assertEqual(set(ranges), {"conv", "proj", "out"})


if __name__ == "__main__":
    unittest.main()
