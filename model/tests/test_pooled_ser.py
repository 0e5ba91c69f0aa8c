"""Unit tests of the shipped recipe's parts: pooled features that ignore zero padding (all of it in the
padding-invariant build), prosody statistics (pitch without octave errors, its spread and steps, no
voicing in noise) and their lighter L2 penalty,
corpus-and-class balanced weights, the gradient reversal of the corpus-adversarial head, and the
leave-one-corpus-out scoring (clip-level class shares, held-out windows scored from a channel variant), the
channel augmentation (seeded, same length, the pipeline's peak, phone codecs through the bundled
FFmpeg when the local Maven repository has it)."""
import math
import os
import sys
import unittest

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "recipes"))
import channel_augment  # noqa: E402
import loco  # noqa: E402
import pooled_ser  # noqa: E402

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared")
MN04 = os.path.join(SHARED, "models", "mn04_as_mAP_432.pt")


def speech_like(seconds, seed=0):
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(int(seconds * 16000)) / 16000.0
    f0 = 140 + 30 * torch.sin(2 * math.pi * 0.7 * t)
    phase = 2 * math.pi * torch.cumsum(f0, 0) / 16000.0
    x = sum(torch.sin(k * phase) / k for k in range(1, 12)) * (0.5 + 0.5 * torch.sin(2 * math.pi * 3 * t)) ** 2
    return (x + 0.01 * torch.randn(len(t), generator=g)) * 0.3


class PooledFeaturesTest(unittest.TestCase):
    def test_log_mel_and_mfcc_statistics_ignore_zero_padding(self):
        m = pooled_ser.MelMfccStats()
        x = speech_like(2.5)
        a = m(torch.nn.functional.pad(x, (0, 16000 * 8 - len(x)))[None])
        b = m(torch.nn.functional.pad(x, (0, 16000 * 4 - len(x)))[None])
        self.assertEqual(tuple(a.shape), (1, 168))
        self.assertLess(float((a - b).abs().max()), 1e-3)

    def test_padding_invariant_log_mel_and_mfcc_statistics_are_the_same_without_padding(self):
        m = pooled_ser.MelMfccStats(padding_invariant=True)
        x = speech_like(2.51)
        a = m(torch.nn.functional.pad(x, (0, 16000 * 8 - len(x)))[None])
        self.assertLess(float((a - m(x[None])).abs().max() / a.abs().max()), 1e-5)

    @unittest.skipUnless(os.path.exists(MN04), "needs ../shared/models/mn04_as_mAP_432.pt")
    def test_mn04_statistics_have_1024_values_and_do_not_depend_on_the_batch(self):
        # as published, mn04's squeeze-excite layers average over the whole map, padding included,
        # so its features hold for the manifest's contract (every window zero-padded to 8 s)
        m = pooled_ser.Mn04Stats(MN04).eval()
        pad = lambda x: torch.nn.functional.pad(x, (0, 16000 * 8 - len(x)))  # noqa: E731
        x, other = pad(speech_like(3.0)), pad(speech_like(6.0, seed=1))
        with torch.no_grad():
            alone = m(x[None])
            batched = m(torch.stack([other, x]))[1:]
            unpadded = m(speech_like(3.0)[None])
        self.assertEqual(tuple(alone.shape), (1, 1024))
        self.assertLess(float((alone - batched).abs().max()), 1e-4)
        self.assertGreater(float((alone - unpadded).abs().max() / alone.abs().max()), 1e-2, "padding matters")

    @unittest.skipUnless(os.path.exists(MN04), "needs ../shared/models/mn04_as_mAP_432.pt")
    def test_padding_invariant_mn04_statistics_are_the_same_without_padding(self):
        # squeeze-excitation over the signal only and steps after it zeroed before every
        # convolution across steps
        m = pooled_ser.Mn04Stats(MN04, padding_invariant=True).eval()
        x = speech_like(3.01)
        with torch.no_grad():
            padded = m(torch.nn.functional.pad(x, (0, 16000 * 8 - len(x)))[None])
            unpadded = m(x[None])
        self.assertLess(float((padded - unpadded).abs().max() / padded.abs().max()), 1e-5)


def voice(f0, seconds=2.0, harmonics=12):
    """A harmonic voice whose pitch follows `f0(t)` (Hz), with a syllable-like loudness envelope."""
    t = torch.arange(int(seconds * 16000)) / 16000.0
    phase = 2 * math.pi * torch.cumsum(f0(t), 0) / 16000.0
    envelope = 0.3 + 0.7 * torch.sin(2 * math.pi * 2 * t).abs()
    return 0.3 * envelope * sum(torch.sin(k * phase) / k for k in range(1, harmonics + 1))


class ProsodyStatsTest(unittest.TestCase):
    # columns of ProsodyStats' output
    VOICED, F0_MEAN, F0_SPREAD, F0_STEP = 0, 1, 2, 3

    def prosody(self, x):
        with torch.no_grad():
            return pooled_ser.ProsodyStats()(x[None])[0]

    def test_the_pitch_of_a_voice_is_measured_without_octave_errors(self):
        for hz in (95.0, 140.0, 230.0, 330.0):
            p = self.prosody(voice(lambda t, hz=hz: torch.full_like(t, hz)))
            self.assertAlmostEqual(math.exp(float(p[self.F0_MEAN])), hz, delta=hz * 0.02)
            self.assertGreater(float(p[self.VOICED]), 0.9)
            self.assertLess(float(p[self.F0_SPREAD]), 0.02)

    def test_intonation_shows_in_the_spread_and_steps_of_log_pitch(self):
        level = self.prosody(voice(lambda t: torch.full_like(t, 150.0)))
        moving = self.prosody(voice(lambda t: 150 * torch.exp(0.25 * torch.sin(2 * math.pi * 1.5 * t))))
        # log F0 swings ±0.25, a sine's spread is 0.25 / √2
        self.assertAlmostEqual(float(moving[self.F0_SPREAD]), 0.25 / math.sqrt(2), delta=0.02)
        self.assertGreater(float(moving[self.F0_STEP]), 5 * float(level[self.F0_STEP]))

    def test_noise_and_silence_are_not_voiced(self):
        g = torch.Generator().manual_seed(3)
        self.assertLess(float(self.prosody(0.1 * torch.randn(32000, generator=g))[self.VOICED]), 0.05)
        p = self.prosody(torch.zeros(32000))
        self.assertEqual(float(p[self.VOICED]), 0.0)
        self.assertTrue(bool(torch.isfinite(p).all()))

    def test_the_statistics_are_the_same_with_or_without_zero_padding(self):
        m = pooled_ser.ProsodyStats()
        x = speech_like(2.51)
        with torch.no_grad():
            padded = m(torch.nn.functional.pad(x, (0, 16000 * 8 - len(x)))[None])
            both = m(torch.stack([torch.nn.functional.pad(x, (0, 16000 * 3)), speech_like(3.0 + len(x) / 16000, 1)]))
            unpadded = m(x[None])
        self.assertEqual(tuple(unpadded.shape), (1, 12))
        self.assertLess(float((padded - unpadded).abs().max()), 1e-4)
        self.assertLess(float((both[:1] - unpadded).abs().max()), 1e-4)

    def test_the_prosody_columns_are_penalised_less_and_so_weigh_more(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "features"))
            np.save(os.path.join(d, "features", "pooled-mel-mfcc-unpadded.npy"), np.zeros((3, 5), np.float32))
            np.save(os.path.join(d, "features", "pooled-prosody.npy"), np.zeros((3, 2), np.float32))
            penalty = loco.l2_penalty(d, ["mel-mfcc-unpadded", "prosody"], 10.0)
        np.testing.assert_allclose(penalty, [1, 1, 1, 1, 1, 0.01, 0.01])
        # two equally informative columns: the one penalised less takes the larger weight
        g = np.random.default_rng(0)
        y = np.repeat(np.arange(4), 50)
        signal = y + g.normal(0, 1.0, len(y))
        x = np.stack([signal + g.normal(0, 0.5, len(y)), signal + g.normal(0, 0.5, len(y))], axis=1).astype(np.float32)
        head = loco.train_head(x, y, np.ones(len(y)), "logreg", 1.0, penalty=np.array([1.0, 0.01], np.float32))
        w = head[1].weight.detach().abs().sum(dim=0)
        self.assertGreater(float(w[1]), 3 * float(w[0]))


class BalanceAndAdversaryTest(unittest.TestCase):
    def test_every_corpus_and_class_within_it_weighs_the_same(self):
        corpus = np.array(["a"] * 6 + ["b"] * 2)
        y = np.array([0, 0, 0, 0, 1, 1, 0, 2])
        w = loco.balanced_weights(corpus, y)
        self.assertAlmostEqual(w[corpus == "a"].sum(), w[corpus == "b"].sum())
        self.assertAlmostEqual(w[(corpus == "a") & (y == 0)].sum(), w[(corpus == "a") & (y == 1)].sum())
        self.assertAlmostEqual(w.mean(), 1.0)

    def test_held_out_shares_are_counted_per_clip_and_scored_windows_can_come_from_elsewhere(self):
        # two corpora, classes 0 and 1 far apart; corpus "b" has one class-0 clip cut into 3 windows
        # and one class-1 clip of 1 window: per clip its true share is 1/2 each, per window 3/4 and 1/4
        rng = np.random.default_rng(0)
        y = np.array([0] * 20 + [1] * 20 + [0, 0, 0, 1])
        corpus = np.array(["a"] * 40 + ["b"] * 4)
        clips = np.array([f"a{i}" for i in range(40)] + ["b0", "b0", "b0", "b1"])
        x = (np.where(y == 0, -3.0, 3.0)[:, None] + 0.1 * rng.standard_normal((44, 2))).astype(np.float32)
        ua, predicted, true = loco.loco(x, y, corpus, ["a", "b"], "logreg", 0.1, clips)["b"]
        self.assertEqual(ua, 1.0)
        np.testing.assert_allclose(true[:2], [0.5, 0.5])
        np.testing.assert_allclose(predicted, true)
        # scored on other windows (a channel variant): every held-out window of class 1 now looks like 0
        flipped = x.copy()
        flipped[43] = -3.0
        ua, predicted, _ = loco.loco(x, y, corpus, ["a", "b"], "logreg", 0.1, clips, scored=flipped)["b"]
        self.assertEqual(ua, 0.5)
        np.testing.assert_allclose(predicted[:2], [1.0, 0.0])

    def test_class_mix_copies_standardise_each_corpus_with_the_statistics_of_a_random_class_mix(self):
        # one feature that is the class (0 or 3) plus noise, in two corpora of balanced classes
        rng = np.random.default_rng(1)
        y = np.tile([0, 3], 100)
        corpus = np.array(["a"] * 100 + ["b"] * 100)
        x = (3.0 * y[:, None] + rng.standard_normal((200, 1))).astype(np.float32)
        copies = loco.class_mix_copies(x, corpus, y, 3, seed=5)
        self.assertEqual(len(copies), 3)
        balanced = loco.per_corpus(x, [], corpus)[0]
        for z in copies:
            for c in ("a", "b"):
                sel = corpus == c
                # an affine map of the raw feature, per corpus: a standardisation
                self.assertGreater(np.corrcoef(z[sel, 0], x[sel, 0])[0, 1], 0.9999)
                # whose centre moved with the drawn mix: the classes' midpoint no longer sits at 0
                midpoint = (z[sel & (y == 0), 0].mean() + z[sel & (y == 3), 0].mean()) / 2
                self.assertNotAlmostEqual(midpoint, 0.0, places=2)
            np.testing.assert_allclose(
                (balanced[:, 0][y == 3].mean() - balanced[:, 0][y == 0].mean()) > 0,
                (z[:, 0][y == 3].mean() - z[:, 0][y == 0].mean()) > 0)
        self.assertFalse(np.allclose(copies[0], copies[1]))  # each copy draws its own mix

    def test_gradient_reversal_flips_and_scales_the_gradient(self):
        x = torch.ones(3, requires_grad=True)
        loco.GradientReversal.apply(x, 0.3).sum().backward()
        self.assertTrue(torch.allclose(x.grad, torch.full((3,), -0.3)))


class ChannelAugmentTest(unittest.TestCase):
    def setUp(self):
        x = speech_like(2.0)
        x = torch.cat([x[:1], x[1:] - 0.97 * x[:-1]])  # as the pipeline feeds it
        self.x = x / x.abs().max() * 0.95

    def test_seeded_same_length_and_the_pipelines_peak(self):
        a = channel_augment.ChannelAugment(torch.Generator().manual_seed(5))(self.x)
        b = channel_augment.ChannelAugment(torch.Generator().manual_seed(5))(self.x)
        self.assertTrue(torch.equal(a, b))
        self.assertEqual(len(a), len(self.x))
        self.assertAlmostEqual(float(a.abs().max()), 0.95, places=4)
        self.assertTrue(bool(torch.isfinite(a).all()))
        outs = [channel_augment.ChannelAugment(torch.Generator().manual_seed(s))(self.x) for s in range(6)]
        self.assertGreater(len({round(float((o - self.x).abs().mean()), 4) for o in outs}), 3, "draws differ")

    def test_noise_at_the_asked_snr(self):
        aug = channel_augment.ChannelAugment(torch.Generator().manual_seed(1))
        clean = speech_like(2.0)
        for snr in (0.0, 10.0, 30.0):
            noisy = aug.noise(clean, snr)
            measured = 10 * math.log10(float(clean.pow(2).mean() / (noisy - clean).pow(2).mean()))
            self.assertAlmostEqual(measured, snr, delta=0.1)

    def test_phone_codecs_round_trip_with_the_bundled_ffmpeg(self):
        ffmpeg = channel_augment.bundled_ffmpeg()
        if ffmpeg is None:
            self.skipTest("no org.bytedeco:ffmpeg jar in the local Maven repository (mvn package fetches it)")
        x = speech_like(2.0) * 2
        # AMR-NB codes 8 kHz audio at 12.2 kbit/s: the least faithful (measured 0.57 on this signal)
        for codec, rate, least in (("opus", "12k", 0.6), ("amr", "12.2k", 0.4), ("aac", "32k", 0.6)):
            y = channel_augment.codec_round_trip(ffmpeg, x, codec, rate)
            self.assertEqual(len(y), len(x), codec)
            corr = float(torch.dot(x, y) / (x.norm() * y.norm()))
            self.assertGreater(corr, least, f"{codec}: correlation {corr:.2f}")
            self.assertLess(corr, 0.9999, f"{codec} changed nothing")

    def test_the_held_out_channel_is_seeded_keeps_length_and_peak_and_codes_with_unseen_codecs(self):
        ffmpeg = channel_augment.bundled_ffmpeg()
        if ffmpeg is None:
            self.skipTest("no org.bytedeco:ffmpeg jar in the local Maven repository (mvn package fetches it)")
        x = speech_like(2.0) * 2

        # the waveform survives, aligned (measured on this signal: MP3 0.999, AMR-WB 0.83, Speex 0.79;
        # Speex through FFmpeg's native decoder came back twice as long, 0.07)
        for codec, rate in (("mp3", "32k"), ("amr-wb", "12.65k"), ("speex", "")):
            y = channel_augment.codec_round_trip(ffmpeg, x, codec, rate)
            self.assertEqual(len(y), len(x), codec)
            corr = float(torch.dot(x, y) / (x.norm() * y.norm()))
            self.assertGreater(corr, 0.6, f"{codec}: correlation {corr:.2f}")
            self.assertLess(corr, 0.9999, f"{codec} changed nothing")
        others = [speech_like(1.5, seed=k) for k in range(3)]
        pick = lambda g: others[int(torch.randint(0, 3, (), generator=g))]  # noqa: E731
        a = channel_augment.HeldOutChannel(torch.Generator().manual_seed(3), ffmpeg, pick)(self.x)
        b = channel_augment.HeldOutChannel(torch.Generator().manual_seed(3), ffmpeg, pick)(self.x)
        self.assertTrue(torch.equal(a, b))
        self.assertEqual(len(a), len(self.x))
        self.assertAlmostEqual(float(a.abs().max()), 0.95, places=4)
        self.assertGreater(float((a - self.x).abs().mean()), 0.01, "the channel changed the window")

    def test_the_held_out_channel_applies_only_the_parts_asked_for(self):
        with self.assertRaises(ValueError):
            channel_augment.HeldOutChannel(torch.Generator(), None, None, ("phone",))
        none = channel_augment.HeldOutChannel(torch.Generator().manual_seed(3), None, None, ())(self.x)
        self.assertTrue(torch.allclose(none, channel_augment.as_the_pipeline_feeds(channel_augment.natural(self.x)),
                                       atol=1e-6))
        mic = channel_augment.HeldOutChannel(torch.Generator().manual_seed(3), None, None, ("microphone",))(self.x)
        agc = channel_augment.HeldOutChannel(torch.Generator().manual_seed(3), None, None, ("gain-control",))(self.x)
        for changed in (mic, agc):
            self.assertEqual(len(changed), len(self.x))
            self.assertGreater(float((changed - none).abs().mean()), 1e-3)
        self.assertGreater(float((mic - agc).abs().mean()), 1e-3)


if __name__ == "__main__":
    unittest.main()
