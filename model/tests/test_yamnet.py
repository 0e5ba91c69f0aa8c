"""Tests of the YAMNet rebuild (model/recipes/yamnet.py) from ../shared/models/yamnet.tflite. The
original runs only in TensorFlow Lite, which Debian does not package, so the rebuild is checked
against the published model's facts and behaviour: 3.7 M parameters in 27 convolutions and a
521-way classifier, real speech tagged as AudioSet's "Speech" (class 0) and a pure tone not, and
the pre-emphasis undo giving the log-mel of the signal itself. Skipped without ../shared."""
import glob
import math
import os
import sys
import unittest

import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import yamnet  # noqa: E402

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
MODEL = os.path.join(SHARED, "models", "yamnet.tflite")
CLIPS = sorted(glob.glob(os.path.join(SHARED, "corpora", "emodb", "wav", "*.flac")))


@unittest.skipUnless(os.path.exists(MODEL) and CLIPS, "needs ../shared/models/yamnet.tflite and EmoDB")
class YamnetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = yamnet.Yamnet(MODEL)
        cls.pre = yamnet.Yamnet(MODEL, pre_emphasised=True)

    def scores(self, net, w):
        logmel, mask = net.log_mel(w[None])
        patches, _ = net.patches(logmel, mask)
        with torch.no_grad():
            return net(patches).mean(dim=0)

    def test_layout_read_from_the_file(self):
        self.assertEqual(len(self.net.layers), 27)
        self.assertEqual(self.net.classifier.weight.shape, (521, 1024))
        self.assertAlmostEqual(sum(p.numel() for p in self.net.parameters()) / 1e6, 3.73, delta=0.01)
        self.assertAlmostEqual(self.net.log_offset, 0.001, places=6)
        self.assertEqual(tuple(self.net.mel.shape), (257, 64))

    def test_speech_is_speech_and_a_tone_is_not(self):
        for path in CLIPS[:5]:
            w, rate = torchaudio.load(path)
            self.assertEqual(rate, 16000)
            s = self.scores(self.net, w[0])
            self.assertEqual(int(s.argmax()), 0, os.path.basename(path))
        t = torch.arange(32000) / 16000.0
        s = self.scores(self.net, 0.5 * torch.sin(2 * math.pi * 440 * t))
        self.assertLess(float(s[0]), 0.1)

    def test_undoing_the_pipelines_pre_emphasis_restores_the_log_mel(self):
        w, _ = torchaudio.load(CLIPS[0])
        w = w[0]
        emphasised = torch.cat([w[:1], w[1:] - 0.97 * w[:-1]])
        plain, mask = self.net.log_mel(w[None])
        undone, _ = self.pre.log_mel(emphasised[None])
        loud = (plain > math.log(0.01)) & (mask[:, :, None] > 0)  # bins well above the log offset
        self.assertGreater(int(loud.sum()), 1000)
        self.assertLess(float((plain - undone)[loud].abs().mean()), 0.05)
        # and the network's view is the same: the same top class, the scores close
        self.assertLess(float((self.scores(self.net, w) - self.scores(self.pre, emphasised)).abs().max()), 0.05)


if __name__ == "__main__":
    unittest.main()
