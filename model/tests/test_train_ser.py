"""Unit tests of the trainer's loss, augmentation and network (run by `mvn verify` through
ModelRecipesTest, or: /usr/bin/python3 -m unittest discover -s model/tests)."""
import math
import os
import sys
import unittest

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import train_ser as t  # noqa: E402


class LossTest(unittest.TestCase):
    def test_without_focusing_smoothing_or_weights_it_is_cross_entropy(self):
        logits = torch.tensor([[2.0, 0.5, -1.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
        y = torch.tensor([0, 3])
        got = t.focal_loss(logits, y, torch.ones(2), gamma=0.0, smoothing=0.0)
        self.assertAlmostEqual(got.item(), torch.nn.functional.cross_entropy(logits, y).item(), places=6)

    def test_a_case_computed_by_hand(self):
        # logits [2, 0, 0, 0], true class 0, its weight 2, gamma 2, smoothing 0.1
        p0 = math.exp(2) / (math.exp(2) + 3)
        p1 = 1 / (math.exp(2) + 3)
        q0, q1 = 0.9 + 0.025, 0.025
        want = 2 * -(q0 * (1 - p0) ** 2 * math.log(p0) + 3 * q1 * (1 - p1) ** 2 * math.log(p1))
        got = t.focal_loss(torch.tensor([[2.0, 0, 0, 0]]), torch.tensor([0]), torch.tensor([2.0]))
        self.assertAlmostEqual(got.item(), want, places=5)  # 0.339332

    def test_focusing_down_weights_easy_examples(self):
        easy = t.focal_loss(torch.tensor([[6.0, 0, 0, 0]]), torch.tensor([0]), torch.ones(1), smoothing=0.0)
        ce = torch.nn.functional.cross_entropy(torch.tensor([[6.0, 0, 0, 0]]), torch.tensor([0]))
        self.assertLess(easy.item(), ce.item() / 100)

    def test_balanced_class_weights_are_scikit_learns(self):
        w = t.balanced_class_weights([0, 0, 0, 1, 2, 2], classes=4)  # n / (K * count)
        self.assertEqual([round(v, 6) for v in w.tolist()], [0.5, 1.5, 0.75, 0.0])

    def test_corpus_class_weights_give_every_corpus_and_class_within_it_the_same_weight(self):
        rows = [{"corpus": "a", "label": "anger"}] * 6 + [{"corpus": "a", "label": "sadness"}] * 2 \
            + [{"corpus": "b", "label": "anger"}] * 2
        w = t.corpus_class_weights(rows).tolist()
        self.assertAlmostEqual(sum(w[:8]), sum(w[8:]), places=5)  # corpus a (8 windows) weighs as b (2)
        self.assertAlmostEqual(sum(w[:6]), sum(w[6:8]), places=5)  # within a, anger (6) weighs as sadness (2)
        self.assertAlmostEqual(sum(w) / len(w), 1.0, places=5)


class AugmentTest(unittest.TestCase):
    def setUp(self):
        self.x = torch.sin(torch.arange(16000) * 2 * math.pi * 220 / 16000) * 0.5

    def test_gain_stays_within_minus_18_and_plus_6_db_and_polarity_flips(self):
        a = t.Augment(torch.Generator().manual_seed(3), pitch_p=0, noise=(0.0, 0.0))
        ratios = [(a(self.x)[100] / self.x[100]).item() for _ in range(300)]
        self.assertTrue(all(10 ** (-18 / 20) - 1e-6 <= abs(r) <= 10 ** (6 / 20) + 1e-6 for r in ratios))
        self.assertTrue(any(r < 0 for r in ratios) and any(r > 0 for r in ratios))
        self.assertLess(min(abs(r) for r in ratios), 0.2)  # the range is used, not just its middle

    def test_noise_amplitude_is_between_0_001_and_0_015(self):
        a = t.Augment(torch.Generator().manual_seed(4), pitch_p=0, gain_db=(0.0, 0.0))
        silence = torch.zeros(16000)
        stds = [a(silence).std().item() for _ in range(100)]
        self.assertGreaterEqual(min(stds), 0.0009)
        self.assertLessEqual(max(stds), 0.0155)

    def test_padding_stays_zero(self):
        a = t.Augment(torch.Generator().manual_seed(5), pitch_p=1.0)
        padded = torch.nn.functional.pad(self.x, (0, 16000))
        out = a(padded)
        self.assertEqual(out[16000:].abs().max().item(), 0.0)
        self.assertGreater(out[:16000].abs().max().item(), 0.0)

    def test_pitch_shift_moves_a_tone_by_the_semitones_and_keeps_the_length(self):
        tone = torch.sin(torch.arange(32000) * 2 * math.pi * 440 / 16000) * 0.5
        shifted = t.PitchShifter()(tone, 2.0)
        self.assertEqual(shifted.shape, tone.shape)
        spectrum = torch.fft.rfft(shifted[4000:28000] * torch.hann_window(24000)).abs()
        peak_hz = spectrum.argmax().item() * 16000 / 24000
        self.assertAlmostEqual(peak_hz, 440 * 2 ** (2 / 12), delta=440 * 0.01)  # 493.9 Hz


class NetworkTest(unittest.TestCase):
    def test_any_batch_and_length_gives_four_logits(self):
        m = t.CompactSerNet().eval()
        with torch.no_grad():
            self.assertEqual(tuple(m(torch.randn(3, 128000) * 0.1).shape), (3, 4))
            self.assertEqual(tuple(m(torch.randn(1, 40000) * 0.1).shape), (1, 4))

    def test_the_log_mel_front_end_puts_a_1_khz_tone_in_the_1_khz_band(self):
        # silence, then a 1 kHz tone: after per-band mean removal the tone's band rises most
        x = torch.zeros(1, 32000)
        x[0, 16000:] = torch.sin(torch.arange(16000) * 2 * math.pi * 1000 / 16000)
        logmel = t.LogMel()(x)[0][0]
        rise = logmel[110:].mean(dim=0) - logmel[:90].mean(dim=0)
        fbank = t.torchaudio.functional.melscale_fbanks(201, 0.0, 8000.0, 64, 16000, norm="slaney", mel_scale="slaney")
        expected = fbank[25].argmax().item()  # FFT bin 25 of 400 points at 16 kHz is 1 kHz
        self.assertLessEqual(abs(rise.argmax().item() - expected), 1)

    def test_zero_padding_does_not_change_the_scores(self):
        m = t.CompactSerNet().eval()
        speech = torch.randn(1, 32000) * 0.1
        with torch.no_grad():
            short = m(speech)
            padded = m(torch.nn.functional.pad(speech, (0, 96000)))
        # not exact: the last pooled frame of the padded input also holds the signal's final
        # frames, which the short input's pooling floors away
        self.assertLess((short - padded).abs().max().item(), 1e-2)

    def test_smaller_than_five_megabytes(self):
        params = sum(p.numel() for p in t.CompactSerNet().parameters())
        self.assertLess(params * 4, 5_000_000)


if __name__ == "__main__":
    unittest.main()
