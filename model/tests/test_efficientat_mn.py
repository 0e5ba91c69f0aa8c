"""Tests of the rebuilt EfficientAT mn04 (model/recipes/efficientat_mn.py) against the published
model's behaviour: its AudioSet weights load by name into our layout with nothing left over, the
rebuilt network tags real speech as AudioSet's "Speech" (class 0) and a pure tone as not speech,
and our 16 kHz front end equals the published 32 kHz front end (computed here with torch.stft
and Kaldi mel banks on a 32 kHz resampling) in every band below 8 kHz. They need the weights in
../shared/models and a RAVDESS clip in ../shared/corpora, and skip without them."""
import glob
import math
import os
import sys
import unittest

import torch
import torchaudio

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import efficientat_mn as mn  # noqa: E402

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
WEIGHTS = os.path.join(SHARED, "models", "mn04_as_mAP_432.pt")
CLIPS = sorted(glob.glob(os.path.join(SHARED, "corpora", "ravdess", "Actor_01", "*.flac")))


def pre_emphasised(w):
    return torch.cat([w[:1], w[1:] - 0.97 * w[:-1]])


def published_front_end_at_32k(w16):
    """The published recipe at 32 kHz on a resampling of the (not yet pre-emphasised) 16 kHz signal."""
    x = torchaudio.functional.resample(w16, 16000, 32000)
    x = torch.nn.functional.conv1d(x[None, None], torch.tensor([[[-0.97, 1.0]]]))[0, 0]
    spec = torch.stft(x, 1024, hop_length=320, win_length=800, window=torch.hann_window(800, periodic=False),
                      center=True, pad_mode="constant", return_complex=True).abs() ** 2
    banks, _ = torchaudio.compliance.kaldi.get_mel_banks(128, 1024, 32000.0, 0.0, 15000.0, 100.0, -500.0, 1.0)
    banks = torch.nn.functional.pad(banks, (0, 1))
    return ((banks @ spec + 1e-5).log() + 4.5) / 5.0


@unittest.skipUnless(os.path.exists(WEIGHTS) and CLIPS, "needs ../shared/models/mn04_as_mAP_432.pt and RAVDESS")
class EfficientAtMn04Test(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = mn.load_pretrained(WEIGHTS)
        cls.front = mn.LogMel16k()

    def test_weights_fill_every_parameter_of_the_layout(self):
        state = torch.load(WEIGHTS, map_location="cpu")
        ours = self.net.state_dict()
        self.assertEqual(set(state), set(ours))
        for k, v in state.items():
            self.assertEqual(tuple(v.shape), tuple(ours[k].shape), k)
        self.assertAlmostEqual(sum(p.numel() for p in self.net.parameters()) / 1e6, 0.98, delta=0.02)

    def test_speech_is_tagged_speech_and_a_tone_is_not(self):
        with torch.no_grad():
            for path in CLIPS[:6]:
                w, rate = torchaudio.load(path)
                self.assertEqual(rate, 16000)
                mel, _ = self.front(pre_emphasised(w[0])[None])
                probs = torch.sigmoid(self.net(mel))[0]
                self.assertIn(0, torch.topk(probs, 2).indices.tolist(), os.path.basename(path))
                self.assertGreater(float(probs[0]), 0.5, os.path.basename(path))
            t = torch.arange(3 * 16000) / 16000.0
            tone = pre_emphasised(0.5 * torch.sin(2 * math.pi * 440 * t))
            probs = torch.sigmoid(self.net(self.front(tone[None])[0]))[0]
            self.assertLess(float(probs[0]), 0.2)

    def test_16k_front_end_equals_the_published_32k_one_below_8k(self):
        w, _ = torchaudio.load(CLIPS[0])
        w = w[0, :32000]
        ours, _ = self.front(pre_emphasised(w)[None])
        reference = published_front_end_at_32k(w)
        frames = min(ours.shape[-1], reference.shape[-1]) - 4  # the edges differ by the resampler's ramp
        bands = banks_below(7000.0)  # bands wholly below 7 kHz: torchaudio's resampler rolls off above
        a, b = ours[0, 0, :bands, 2:frames], reference[:bands, 2:frames]
        loud = b > -1.0  # where there is energy; near-silent bins are dominated by the 1e-5 floor
        self.assertGreater(int(loud.sum()), 1000)
        self.assertLess(float((a - b)[loud].abs().mean()), 0.02)
        self.assertLess(float((a - b)[loud].abs().max()), 0.3)


def banks_below(hz):
    """How many of the 128 Kaldi mel bands (0 to 15 kHz) end below `hz`."""
    mel = lambda f: 1127.0 * math.log(1 + f / 700.0)  # noqa: E731
    edges = [mel(0) + (mel(15000) - mel(0)) * i / 129 for i in range(130)]
    return sum(1 for i in range(128) if edges[i + 2] < mel(hz))


if __name__ == "__main__":
    unittest.main()
