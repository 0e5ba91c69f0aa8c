package dev.ser.pipeline.audio;

import java.io.IOException;
import java.io.InputStream;
import org.jflac.ChannelData;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;

/**
 * Streams a FLAC file frame by frame through jFLAC (pure Java). Metadata blocks other than
 * STREAMINFO are skipped here before jFLAC sees the stream: jFLAC sizes its arrays for tags, seek
 * tables and pictures from the block's own counts, so one lying header could exhaust the heap
 * (found by {@code AudioDecoderFuzzTest}); the samples need none of them.
 */
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
        this.decoder = new BoundedFlacDecoder(withStreamInfoOnly(in));
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
        this.format =
                new PcmFormat(
                        info.getSampleRate(),
                        info.getChannels(),
                        info.getBitsPerSample(),
                        PcmFormat.Encoding.FLAC,
                        total > 0 ? total : -1);
        this.scale = 1f / (1L << (info.getBitsPerSample() - 1));
    }

    /**
     * The stream as jFLAC should see it: the "fLaC" marker, the STREAMINFO block marked last, then
     * the audio frames. Every other metadata block is skipped by its declared length, which costs
     * no memory whatever the length says.
     */
    private static InputStream withStreamInfoOnly(InputStream in) throws IOException {
        byte[] marker = in.readNBytes(4);
        if (marker.length < 4
                || marker[0] != 'f'
                || marker[1] != 'L'
                || marker[2] != 'a'
                || marker[3] != 'C') {
            throw new UnsupportedAudioException("not a FLAC stream");
        }
        byte[] streamInfo = null;
        boolean last = false;
        while (!last) {
            byte[] header = in.readNBytes(4);
            if (header.length < 4) {
                throw new UnsupportedAudioException(
                        "corrupt FLAC header: metadata ends before the audio");
            }
            last = (header[0] & 0x80) != 0;
            int type = header[0] & 0x7f;
            int length =
                    ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            if (type == 0) {
                if (streamInfo != null || length != STREAMINFO_BYTES) {
                    throw new UnsupportedAudioException(
                            "corrupt FLAC header: STREAMINFO block of "
                                    + length
                                    + " bytes (expected one of "
                                    + STREAMINFO_BYTES
                                    + ")");
                }
                streamInfo = in.readNBytes(length);
                if (streamInfo.length < length) {
                    throw new UnsupportedAudioException(
                            "corrupt FLAC header: truncated STREAMINFO");
                }
            } else if (type == 127) {
                throw new UnsupportedAudioException(
                        "corrupt FLAC header: invalid metadata block type 127");
            } else {
                try {
                    in.skipNBytes(length);
                } catch (java.io.EOFException e) {
                    throw new UnsupportedAudioException(
                            "corrupt FLAC header: a metadata block claims "
                                    + length
                                    + " bytes past the end of the file");
                }
            }
        }
        if (streamInfo == null) {
            throw new UnsupportedAudioException("FLAC file has no STREAMINFO block");
        }
        byte[] head = new byte[4 + 4 + STREAMINFO_BYTES];
        System.arraycopy(marker, 0, head, 0, 4);
        head[4] = (byte) 0x80; // last metadata block, type 0 (STREAMINFO)
        head[7] = (byte) STREAMINFO_BYTES;
        System.arraycopy(streamInfo, 0, head, 8, STREAMINFO_BYTES);
        return new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), in);
    }

    private static final int STREAMINFO_BYTES = 34;

    /**
     * jFLAC retries a frame that fails to decode forever, and on some corrupt streams the retry
     * consumes no input (found by {@code AudioDecoderFuzzTest}: a 208-byte file hung a task). This
     * bounds the retries: after {@value #MAX_BAD_FRAMES} undecodable frames in a row the stream is
     * corrupt.
     */
    private static final class BoundedFlacDecoder extends FLACDecoder {
        private static final int MAX_BAD_FRAMES = 1000;
        private int badInARow;

        BoundedFlacDecoder(InputStream in) {
            super(in);
        }

        @Override
        public void readFrame() throws IOException, org.jflac.FrameDecodeException {
            try {
                super.readFrame();
                badInARow = 0;
            } catch (org.jflac.FrameDecodeException e) {
                if (++badInARow >= MAX_BAD_FRAMES) {
                    throw new UnsupportedAudioException(
                            "corrupt FLAC stream: "
                                    + MAX_BAD_FRAMES
                                    + " undecodable frames in a row");
                }
                throw e;
            }
        }
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
        if (frame.header.channels != format.channels()) {
            // found by AudioDecoderFuzzTest: jFLAC decodes such a frame, leaving channels unset
            throw new UnsupportedAudioException(
                    "corrupt FLAC frame: "
                            + frame.header.channels
                            + " channels where STREAMINFO says "
                            + format.channels());
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
