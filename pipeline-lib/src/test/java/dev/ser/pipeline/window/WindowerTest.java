package dev.ser.pipeline.window;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WindowerTest {
    private static final int RATE = 1000; // 1 kHz keeps the arithmetic readable

    /** Samples whose value is their original position, so windows can be traced. */
    private static float[] ramp(long from, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = from + i;
        }
        return x;
    }

    @Test
    void windowsSpanSpeechAcrossGapsAndKeepOriginalTimes() {
        List<Window> windows = new ArrayList<>();
        Windower w = new Windower(new WindowConfig(2.0, 2.0, 0.5), RATE, windows::add);
        // speech 1.0-2.5 s, 4.0-5.0 s, 10.0-11.7 s (4.2 s in all)
        w.speech(ramp(1000, 1500), 0, 1500, 1000);
        w.speech(ramp(4000, 1000), 0, 1000, 4000);
        w.speech(ramp(10_000, 1700), 0, 1700, 10_000);
        w.finish();
        assertEquals(2, windows.size(), "the last 0.2 s is under the 0.5 s minimum");
        Window first = windows.get(0);
        assertEquals(1.0, first.startSeconds());
        assertEquals(4.5, first.endSeconds()); // 1.5 s from the first region, 0.5 s from the second
        assertEquals(2.0, first.speechSeconds());
        assertEquals(4499f, first.samples()[1999]);
        Window second = windows.get(1);
        assertEquals(4.5, second.startSeconds());
        assertEquals(11.5, second.endSeconds());
        assertEquals(10_000f, second.samples()[500]);
    }

    @Test
    void overlappingHopRepeatsTheOverlapAndTheTailNeedsNewSpeech() {
        List<Window> windows = new ArrayList<>();
        Windower w = new Windower(new WindowConfig(2.0, 1.0, 0.5), RATE, windows::add);
        w.speech(ramp(0, 3200), 0, 3200, 0);
        w.finish();
        // windows at 0-2, 1-3, and a last one 2-3.2 holding 0.2 s of new speech (< 0.5): dropped
        assertEquals(2, windows.size());
        assertEquals(1.0, windows.get(1).startSeconds());
        assertEquals(3.0, windows.get(1).endSeconds());
        List<Window> more = new ArrayList<>();
        Windower w2 = new Windower(new WindowConfig(2.0, 1.0, 0.5), RATE, more::add);
        w2.speech(ramp(0, 3600), 0, 3600, 0);
        w2.finish();
        assertEquals(3, more.size());
        assertEquals(2.0, more.get(2).startSeconds());
        assertEquals(3.6, more.get(2).endSeconds(), 1e-9);
        assertEquals(1.6, more.get(2).speechSeconds(), 1e-9);
    }

    @Test
    void aShortOnlyWindowIsKept() {
        List<Window> windows = new ArrayList<>();
        Windower w = new Windower(new WindowConfig(8.0, 8.0, 1.0), RATE, windows::add);
        w.speech(ramp(500, 300), 0, 300, 500);
        w.finish();
        assertEquals(1, windows.size());
        assertEquals(0.3, windows.get(0).speechSeconds(), 1e-9);
    }
}
