package dev.ser.pipeline.audio;

import java.io.IOException;
import java.io.InputStream;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;

/** Streams a FLAC file frame by frame through jFLAC (pure Java). */
public final class FlacDecoder implements PcmStream {
    private final InputStream in;
    private final FLACDecoder decoder;
    private final PcmFormat format;
    private final float scale;
    // The decoded frame not yet handed out: jFLAC decodes whole frames (typically 4096 samples).
    private int pending;
    private int pendingOffset;
    private boolean ended;

    public FlacDecoder(InputStream in) throws IOException {
        this.in = in;
        this.decoder = new FLACDecoder(in);
        StreamInfo info;
        try {
            info = decoder.readStreamInfo();
            decoder.readMetadata(info);
        } catch (IOException | RuntimeException e) {
            throw new UnsupportedAudioException("corrupt FLAC header: " + e.getMessage(), e);
        }
        if (info == null) {
            throw new UnsupportedAudioException("FLAC file has no STREAMINFO block");
        }
        long total = info.getTotalSamples();
        this.format = new PcmFormat(info.getSampleRate(), info.getChannels(), info.getBitsPerSample(),
                PcmFormat.Encoding.FLAC, total > 0 ? total : -1);
        this.scale = 1f / (1L << (info.getBitsPerSample() - 1));
    }

    @Override
    public PcmFormat format() {
        return format;
    }

    @Override
    public int read(float[] out, int maxFrames) throws IOException {
        if (pending == 0) {
            if (ended || !nextFrame()) {
                return -1;
            }
        }
        int n = Math.min(maxFrames, pending);
        ChannelData[] data = decoder.getChannelData();
        int channels = format.channels();
        for (int c = 0; c < channels; c++) {
            int[] src = data[c].getOutput();
            for (int i = 0; i < n; i++) {
                out[i * channels + c] = src[pendingOffset + i] * scale;
            }
        }
        pending -= n;
        pendingOffset += n;
        return n;
    }

    private boolean nextFrame() throws IOException {
        Frame frame;
        try {
            frame = decoder.readNextFrame();
        } catch (IOException | RuntimeException e) {
            // jFLAC signals the end of a stream as an exception on some files; a real
            // corruption mid-stream ends the recording at the last good frame.
            if (decoder.isEOF()) {
                ended = true;
                return false;
            }
            throw new UnsupportedAudioException("corrupt FLAC frame: " + e.getMessage(), e);
        }
        if (frame == null) {
            ended = true;
            return false;
        }
        pending = frame.header.blockSize;
        pendingOffset = 0;
        return pending > 0 || nextFrame();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
