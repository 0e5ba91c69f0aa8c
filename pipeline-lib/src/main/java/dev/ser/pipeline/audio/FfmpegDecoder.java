package dev.ser.pipeline.audio;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_SPEEX;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_to_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_SIZE;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avio_alloc_context;
import static org.bytedeco.ffmpeg.global.avformat.avio_context_free;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EXTERNAL;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_QUIET;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLT;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_free;
import static org.bytedeco.ffmpeg.global.avutil.av_get_sample_fmt_name;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_malloc;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avformat.Read_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avformat.Seek_Pointer_long_int;
import org.bytedeco.ffmpeg.avformat.Write_packet_Pointer_BytePointer_int;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Decodes compressed voice notes (FLAC, Opus and Vorbis in Ogg or WebM, MP3, AAC in M4A/MP4 or
 * ADTS, AMR-NB and AMR-WB) with FFmpeg's libraries, to interleaved float PCM at the file's own rate
 * and channels (the {@link Resampler} takes it from there).
 *
 * <p>FLAC ({@link #flac}) is decoded as it is read: its demuxer never seeks, and lossless
 * recordings of long notes are large. The compressed containers' bytes are read into memory first,
 * up to {@link #MAX_COMPRESSED_BYTES}: voice notes are small, and MP4 files from phones keep their
 * index ({@code moov}) at the end, so the demuxer must seek, which an archive entry or a network
 * stream cannot. FFmpeg then reads them through a custom {@code AVIOContext}; nothing touches the
 * disk. Only the demuxers of the formats above may open a stream ({@code format_whitelist}), so a
 * file can never make FFmpeg open playlists or other files. This class owns every native object it
 * allocates and frees them in {@link #close()}.
 *
 * <p>Written against FFmpeg's C API (through JavaCPP's presets) rather than JavaCV's {@code
 * FFmpegFrameGrabber}: the grabber pulls in OpenCV and a dozen capture libraries, and buffers a
 * non-seekable stream without bound.
 */
public final class FfmpegDecoder implements PcmStream {
    /** The largest compressed recording read: 256 MiB, about 18 hours of 32 kbit/s Opus. */
    public static final int MAX_COMPRESSED_BYTES = 256 << 20;

    /** The demuxers a recording may be opened with. */
    static final String DEMUXERS =
            "ogg,matroska,webm,mp3,aac,mov,mp4,m4a,3gp,3g2,mj2,amr,amrnb,amrwb";

    /** Packets the decoder may reject in a row before the recording counts as corrupt. */
    private static final int MAX_BAD_PACKETS = 100;

    private static final int IO_BUFFER = 1 << 16;

    // JavaCPP gives each callback class a few native entry points, so two callbacks serve
    // every open decoder; the opaque pointer carries the id of the decoder's bytes.
    private static final Map<Long, Source> OPEN = new ConcurrentHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static final ReadCallback READ;
    private static final SeekCallback SEEK;

    static {
        av_log_set_level(
                AV_LOG_QUIET); // every failure comes back as an exception with FFmpeg's message
        READ = new ReadCallback();
        SEEK = new SeekCallback();
    }

    private final Source source;
    private final long id;
    private final LongPointer opaque;
    private AVFormatContext format;
    private AVIOContext io;
    private AVCodecContext codec;
    private SwrContext swr;
    private AVPacket packet;
    private AVFrame frame;
    private final int streamIndex;
    private final PcmFormat pcmFormat;
    private final String codecName;
    private int inputSampleFormat;
    private boolean sampleFormatSettled; // a frame has been converted: the sample format is settled

    // decoded frames not yet handed out
    private FloatPointer converted;
    private PointerPointer<FloatPointer> convertedPlanes;
    private float[] pending = new float[0];
    private int pendingOffset;
    private int pendingFrames;
    private boolean inputDone;
    private boolean decoderDrained;
    private int badPackets;

    /**
     * Reads {@code in} (closing it) and opens its audio stream; throws for anything FFmpeg cannot
     * decode. For the compressed containers of {@link #DEMUXERS}, which may need to seek.
     */
    public FfmpegDecoder(InputStream in) throws IOException {
        this(inMemory(in), DEMUXERS, true);
    }

    /**
     * A FLAC stream decoded as it is read, through FFmpeg's native FLAC decoder: nothing is held
     * but FFmpeg's buffers, whatever the recording's length. The decoder owns {@code in}.
     */
    public static FfmpegDecoder flac(InputStream in) throws IOException {
        return new FfmpegDecoder(new Streamed(in), "flac", false);
    }

    private static Source inMemory(InputStream in) throws IOException {
        byte[] data;
        try (in) {
            data = in.readNBytes(MAX_COMPRESSED_BYTES + 1);
        }
        if (data.length > MAX_COMPRESSED_BYTES) {
            throw new UnsupportedAudioException(
                    "compressed recording larger than "
                            + (MAX_COMPRESSED_BYTES >> 20)
                            + " MiB; voice notes are far smaller");
        }
        return new Bytes(data);
    }

    private FfmpegDecoder(Source source, String demuxers, boolean seekable) throws IOException {
        this.source = source;
        id = IDS.incrementAndGet();
        OPEN.put(id, source);
        opaque = new LongPointer(1).put(id);
        try {
            format = avformat_alloc_context();
            BytePointer buffer = new BytePointer(av_malloc(IO_BUFFER)).capacity(IO_BUFFER);
            io =
                    avio_alloc_context(
                            buffer,
                            IO_BUFFER,
                            0,
                            opaque,
                            READ,
                            (Write_packet_Pointer_BytePointer_int) null,
                            seekable ? SEEK : null);
            format.pb(io);
            AVDictionary options = new AVDictionary(null);
            av_dict_set(options, "format_whitelist", demuxers, 0);
            int r = avformat_open_input(format, (String) null, null, options);
            av_dict_free(options);
            if (r < 0) {
                format = null; // avformat_open_input frees the context when it fails
                source.rethrowReadFailure();
                throw new UnsupportedAudioException(
                        "not a decodable compressed audio file: " + message(r));
            }
            check(
                    avformat_find_stream_info(format, (PointerPointer<?>) null),
                    "cannot read the stream's parameters");
            streamIndex =
                    av_find_best_stream(
                            format, AVMEDIA_TYPE_AUDIO, -1, -1, (PointerPointer<?>) null, 0);
            if (streamIndex < 0) {
                throw new UnsupportedAudioException("the file holds no audio stream");
            }
            AVStream stream = format.streams(streamIndex);
            AVCodec decoder = decoderFor(stream.codecpar().codec_id());
            if (decoder == null) {
                throw new UnsupportedAudioException(
                        "no decoder for the file's audio codec (id "
                                + stream.codecpar().codec_id()
                                + ")");
            }
            codecName = decoder.name().getString();
            codec = avcodec_alloc_context3(decoder);
            check(avcodec_parameters_to_context(codec, stream.codecpar()), "bad codec parameters");
            codec.pkt_timebase(stream.time_base());
            check(
                    avcodec_open2(codec, decoder, (AVDictionary) null),
                    "cannot open the " + codecName + " decoder");
            int rate = codec.sample_rate();
            int channels = codec.ch_layout().nb_channels();
            long declared = -1;
            if (stream.duration() != AV_NOPTS_VALUE && stream.duration() > 0 && rate > 0) {
                declared =
                        Math.round(
                                stream.duration()
                                        * (double) stream.time_base().num()
                                        / stream.time_base().den()
                                        * rate);
            }
            boolean flac = codecName.equals("flac");
            pcmFormat =
                    new PcmFormat(
                            rate,
                            channels,
                            flac ? codec.bits_per_raw_sample() : 32,
                            flac ? PcmFormat.Encoding.FLAC : PcmFormat.Encoding.COMPRESSED,
                            declared);
            inputSampleFormat = codec.sample_fmt();
            convertFrom(inputSampleFormat);
            packet = av_packet_alloc();
            frame = av_frame_alloc();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public PcmFormat format() {
        return pcmFormat;
    }

    /** The FFmpeg decoder in use, e.g. {@code opus}, {@code aac}, {@code amrnb}. */
    public String codecName() {
        return codecName;
    }

    @Override
    public int read(float[] interleaved, int maxFrames) throws IOException {
        while (pendingFrames == 0) {
            if (decoderDrained) {
                return -1;
            }
            decodeMore();
        }
        int channels = pcmFormat.channels();
        int n = Math.min(maxFrames, pendingFrames);
        System.arraycopy(pending, pendingOffset * channels, interleaved, 0, n * channels);
        pendingOffset += n;
        pendingFrames -= n;
        return n;
    }

    /** Feeds the decoder one packet (or the end of input) and converts what comes out. */
    private void decodeMore() throws IOException {
        if (!inputDone) {
            int r = av_read_frame(format, packet);
            if (r < 0) {
                source.rethrowReadFailure(); // the input failed: not the end of the recording
                // the end, or a damaged container: keep what was decoded, as for a truncated WAV
                inputDone = true;
                avcodec_send_packet(codec, null); // enter draining mode
            } else {
                try {
                    if (packet.stream_index() == streamIndex) {
                        int s = avcodec_send_packet(codec, packet);
                        if (s < 0 && s != AVERROR_EOF) {
                            if (++badPackets > MAX_BAD_PACKETS) {
                                throw new IOException(
                                        "corrupt "
                                                + codecName
                                                + " stream: "
                                                + badPackets
                                                + " undecodable packets in a row ("
                                                + message(s)
                                                + ")");
                            }
                        } else {
                            badPackets = 0;
                        }
                    }
                } finally {
                    av_packet_unref(packet);
                }
            }
        }
        pendingOffset = 0;
        pendingFrames = 0;
        int r;
        while ((r = avcodec_receive_frame(codec, frame)) >= 0) {
            append(frame);
        }
        if (r == AVERROR_EOF) {
            decoderDrained = true;
        } else if (inputDone && pendingFrames == 0) {
            decoderDrained = true; // draining produced nothing more
        }
    }

    /** Sets up the conversion of the decoder's samples, in {@code sampleFormat}, to float. */
    private void convertFrom(int sampleFormat) throws UnsupportedAudioException {
        if (swr != null) {
            swr_free(swr);
        }
        swr = swr_alloc(); // set up in place by swr_alloc_set_opts2
        check(
                swr_alloc_set_opts2(
                        swr,
                        codec.ch_layout(),
                        AV_SAMPLE_FMT_FLT,
                        pcmFormat.sampleRate(),
                        codec.ch_layout(),
                        sampleFormat,
                        pcmFormat.sampleRate(),
                        0,
                        null),
                "cannot convert the decoder's samples");
        check(swr_init(swr), "cannot convert the decoder's samples");
    }

    private void append(AVFrame f) throws IOException {
        int channels = pcmFormat.channels();
        if (!sampleFormatSettled && f.format() != inputSampleFormat) {
            // libspeex states its sample format (s16) only in its frames: the stream's parameters
            // say float
            inputSampleFormat = f.format();
            convertFrom(inputSampleFormat);
        }
        sampleFormatSettled = true;
        if (f.ch_layout().nb_channels() != channels
                || f.sample_rate() != pcmFormat.sampleRate()
                || f.format() != inputSampleFormat) {
            throw new IOException(
                    "the "
                            + codecName
                            + " stream changes its format mid-stream ("
                            + f.ch_layout().nb_channels()
                            + " channels at "
                            + f.sample_rate()
                            + " Hz after "
                            + channels
                            + " at "
                            + pcmFormat.sampleRate()
                            + " Hz, samples "
                            + sampleFormatName(f.format())
                            + " after "
                            + sampleFormatName(inputSampleFormat)
                            + ")");
        }
        int samples = f.nb_samples();
        if (samples <= 0) {
            return;
        }
        if (converted == null || converted.capacity() < (long) samples * channels) {
            if (converted != null) {
                converted.close();
                convertedPlanes.close();
            }
            converted = new FloatPointer((long) samples * channels);
            convertedPlanes =
                    new PointerPointer<FloatPointer>(1).put(0, converted); // one plane: interleaved
        }
        int out = swr_convert(swr, convertedPlanes, samples, f.extended_data(), samples);
        check(out, "cannot convert the decoder's samples");
        int needed = (pendingFrames + out) * channels;
        if (pending.length < needed) {
            pending = java.util.Arrays.copyOf(pending, Math.max(needed, pending.length * 2));
        }
        converted.position(0).get(pending, pendingFrames * channels, out * channels);
        pendingFrames += out;
    }

    @Override
    public void close() {
        if (frame != null) {
            av_frame_free(frame);
            frame = null;
        }
        if (packet != null) {
            av_packet_free(packet);
            packet = null;
        }
        if (swr != null) {
            swr_free(swr);
            swr = null;
        }
        if (codec != null) {
            avcodec_free_context(codec);
            codec = null;
        }
        if (format != null) {
            avformat_close_input(format); // custom I/O: the AVIOContext stays ours to free
            format = null;
        }
        if (io != null) {
            av_free(io.buffer()); // FFmpeg may have replaced the buffer we gave it
            avio_context_free(io);
            io = null;
        }
        if (converted != null) {
            converted.close();
            convertedPlanes.close();
        }
        opaque.close();
        OPEN.remove(id);
        source.close();
    }

    /**
     * The decoder for a codec: FFmpeg's own, except for Speex. FFmpeg's native Speex decoder (7.1)
     * returns wideband and ultra-wideband streams twice as long as they are, with decoding errors
     * (a 1.9 s Ogg Speex note came back 3.8 s long; narrowband is right), so Speex goes to the
     * bundled libspeex, Xiph's reference decoder, which returns them as coded.
     */
    private static AVCodec decoderFor(int codecId) {
        if (codecId == AV_CODEC_ID_SPEEX) {
            AVCodec reference = avcodec_find_decoder_by_name("libspeex");
            if (reference != null) {
                return reference;
            }
        }
        return avcodec_find_decoder(codecId);
    }

    private static String sampleFormatName(int format) {
        BytePointer name = av_get_sample_fmt_name(format);
        return name == null ? String.valueOf(format) : name.getString();
    }

    private static void check(int result, String what) throws UnsupportedAudioException {
        if (result < 0) {
            throw new UnsupportedAudioException(what + ": " + message(result));
        }
    }

    private static String message(int error) {
        byte[] text = new byte[256];
        av_strerror(error, text, text.length);
        int end = 0;
        while (end < text.length && text[end] != 0) {
            end++;
        }
        return new String(text, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** What FFmpeg's I/O callbacks read: a recording's bytes in memory, or a stream. */
    private interface Source {
        /** Up to {@code size} bytes into {@code buf}: their count, or a negative FFmpeg error. */
        int read(BytePointer buf, int size);

        long seek(long offset, int whence);

        /** Throws what made a read fail, if one did (an I/O error is not the recording's end). */
        default void rethrowReadFailure() throws IOException {}

        default void close() {}
    }

    /** A recording's compressed bytes and the demuxer's read position in them. */
    private static final class Bytes implements Source {
        final byte[] data;
        long position;

        Bytes(byte[] data) {
            this.data = data;
        }

        @Override
        public int read(BytePointer buf, int size) {
            if (position >= data.length) {
                return AVERROR_EOF;
            }
            int n = (int) Math.min(size, data.length - position);
            buf.position(0).put(data, (int) position, n);
            position += n;
            return n;
        }

        @Override
        public long seek(long offset, int whence) {
            if ((whence & AVSEEK_SIZE) != 0) {
                return data.length;
            }
            long target =
                    switch (whence & 0xff) {
                        case 0 -> offset; // SEEK_SET
                        case 1 -> position + offset; // SEEK_CUR
                        case 2 -> data.length + offset; // SEEK_END
                        default -> -1;
                    };
            if (target < 0 || target > data.length) {
                return -1;
            }
            position = target;
            return target;
        }
    }

    /** A stream read forward only, a buffer at a time (FFmpeg is told it cannot seek). */
    private static final class Streamed implements Source {
        private final InputStream in;
        private final byte[] chunk = new byte[IO_BUFFER];
        private IOException failure;

        Streamed(InputStream in) {
            this.in = in;
        }

        @Override
        public int read(BytePointer buf, int size) {
            try {
                int n = in.read(chunk, 0, Math.min(size, chunk.length));
                if (n < 0) {
                    return AVERROR_EOF;
                }
                buf.position(0).put(chunk, 0, n);
                return n;
            } catch (IOException e) {
                failure = e;
                return AVERROR_EXTERNAL; // the cause is kept in failure
            }
        }

        @Override
        public long seek(long offset, int whence) {
            return -1;
        }

        @Override
        public void rethrowReadFailure() throws IOException {
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was written; a failed close loses nothing
            }
        }
    }

    private static Source sourceOf(Pointer opaque) {
        return OPEN.get(new LongPointer(opaque).get());
    }

    private static final class ReadCallback extends Read_packet_Pointer_BytePointer_int {
        @Override
        public int call(Pointer opaque, BytePointer buf, int size) {
            Source source = sourceOf(opaque);
            return source == null ? AVERROR_EOF : source.read(buf, size);
        }
    }

    private static final class SeekCallback extends Seek_Pointer_long_int {
        @Override
        public long call(Pointer opaque, long offset, int whence) {
            Source source = sourceOf(opaque);
            return source == null ? -1 : source.seek(offset, whence);
        }
    }
}
