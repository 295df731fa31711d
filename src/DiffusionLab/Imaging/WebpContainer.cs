using System.Buffers.Binary;
using System.Text;

namespace DiffusionLab.Imaging;

/// <summary>
/// The RIFF container of animated WebP (developers.google.com/speed/webp/docs/riff_container): VP8X with the
/// animation flag, ANIM (background, loop count), then one ANMF per frame holding that frame's bitstream chunks.
/// ImageSharp 2.x encodes and decodes still WebP only (animation came in 3.x, which needs a paid licence), so frames
/// are encoded as stills by ImageSharp and moved into ANMF chunks here, and the first frame of an animation is moved
/// back out into a still for decoding.
/// </summary>
internal static class WebpContainer
{
    /// <summary>
    /// An animated WebP of <paramref name="stills"/> (each a still WebP of the canvas size), shown
    /// <paramref name="durationsMs"/> each, <paramref name="loopCount"/> times (0: forever).
    /// </summary>
    public static byte[] Animate(IReadOnlyList<byte[]> stills, int width, int height, IReadOnlyList<int> durationsMs, int loopCount)
    {
        var frames = stills.Select(BitstreamChunks).ToList();
        bool alpha = frames.Any(f => f.Alpha);
        using var body = new MemoryStream();
        var vp8x = new byte[10];
        vp8x[0] = (byte)(0x02 | (alpha ? 0x10 : 0)); // animation, alpha
        WriteUInt24(vp8x.AsSpan(4), width - 1);
        WriteUInt24(vp8x.AsSpan(7), height - 1);
        WriteChunk(body, "VP8X", vp8x);
        var anim = new byte[6];
        BinaryPrimitives.WriteUInt32LittleEndian(anim, 0xFFFFFFFF); // background: opaque white (BGRA), a hint only
        BinaryPrimitives.WriteUInt16LittleEndian(anim.AsSpan(4), (ushort)loopCount);
        WriteChunk(body, "ANIM", anim);
        for (int i = 0; i < frames.Count; i++)
        {
            var header = new byte[16]; // X/2 = 0, Y/2 = 0: every frame covers the canvas
            WriteUInt24(header.AsSpan(6), width - 1);
            WriteUInt24(header.AsSpan(9), height - 1);
            WriteUInt24(header.AsSpan(12), durationsMs[i]);
            header[15] = 0x02; // do not blend with the previous frame, do not dispose
            WriteChunk(body, "ANMF", [.. header, .. frames[i].Chunks]);
        }
        using var file = new MemoryStream();
        file.Write("RIFF"u8);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)(4 + body.Length));
        file.Write(size);
        file.Write("WEBP"u8);
        body.WriteTo(file);
        return file.ToArray();
    }

    /// <summary>
    /// The first frame of an animated WebP as a still WebP, with its place on the canvas; null for a still image.
    /// Later frames are not composed: a reader of one image wants the first.
    /// </summary>
    public static WebpFrame? FirstFrame(byte[] webp)
    {
        var chunks = Chunks(webp, 12).ToList();
        if (chunks.Count == 0 || chunks[0].Type != "VP8X" || (webp[chunks[0].Offset] & 0x02) == 0) return null;
        var vp8x = webp.AsSpan(chunks[0].Offset, 10);
        int canvasWidth = ReadUInt24(vp8x[4..]) + 1, canvasHeight = ReadUInt24(vp8x[7..]) + 1;
        var anmf = chunks.FirstOrDefault(c => c.Type == "ANMF");
        if (anmf.Type is null || anmf.Length < 16) throw new InvalidDataException("corrupt: an animated WebP without frames");
        var header = webp.AsSpan(anmf.Offset, 16);
        int x = 2 * ReadUInt24(header), y = 2 * ReadUInt24(header[3..]);
        int w = ReadUInt24(header[6..]) + 1, h = ReadUInt24(header[9..]) + 1;
        if (x + w > canvasWidth || y + h > canvasHeight) throw new InvalidDataException("corrupt: an animated WebP frame outside its canvas");
        var inner = Chunks(webp, anmf.Offset + 16, anmf.Offset + anmf.Length).ToList();
        using var body = new MemoryStream();
        if (inner.Any(c => c.Type == "ALPH"))
        {
            // A lossy frame with a separate alpha plane is only valid in the extended format.
            var flags = new byte[10];
            flags[0] = 0x10;
            WriteUInt24(flags.AsSpan(4), w - 1);
            WriteUInt24(flags.AsSpan(7), h - 1);
            WriteChunk(body, "VP8X", flags);
        }
        foreach (var c in inner.Where(c => c.Type is "ALPH" or "VP8 " or "VP8L"))
            WriteChunk(body, c.Type, webp.AsSpan(c.Offset, c.Length));
        using var still = new MemoryStream();
        still.Write("RIFF"u8);
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)(4 + body.Length));
        still.Write(size);
        still.Write("WEBP"u8);
        body.WriteTo(still);
        return new WebpFrame(still.ToArray(), x, y, canvasWidth, canvasHeight);
    }

    /// <summary>A still WebP's bitstream chunks (ALPH, VP8 or VP8L), as written, and whether they carry alpha.</summary>
    private static (byte[] Chunks, bool Alpha) BitstreamChunks(byte[] still)
    {
        using var kept = new MemoryStream();
        bool alpha = false;
        foreach (var c in Chunks(still, 12))
        {
            if (c.Type is not ("ALPH" or "VP8 " or "VP8L")) continue;
            alpha |= c.Type == "ALPH" || (c.Type == "VP8L" && c.Length >= 5 && (BinaryPrimitives.ReadUInt32LittleEndian(still.AsSpan(c.Offset + 1)) & (1u << 28)) != 0);
            WriteChunk(kept, c.Type, still.AsSpan(c.Offset, c.Length));
        }
        return (kept.ToArray(), alpha);
    }

    private static IEnumerable<(string Type, int Offset, int Length)> Chunks(byte[] data, int start, int end = -1)
    {
        if (end < 0) end = data.Length;
        int p = start;
        while (p + 8 <= end)
        {
            string type = Encoding.ASCII.GetString(data, p, 4);
            long length = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(p + 4));
            if (p + 8 + length > end) throw new InvalidDataException($"corrupt: the WebP {type} chunk at byte {p} runs past its container");
            yield return (type, p + 8, (int)length);
            p += 8 + (int)length + (int)(length & 1); // chunks are padded to an even size
        }
    }

    private static void WriteChunk(Stream stream, string type, ReadOnlySpan<byte> payload)
    {
        stream.Write(Encoding.ASCII.GetBytes(type));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)payload.Length);
        stream.Write(size);
        stream.Write(payload);
        if (payload.Length % 2 == 1) stream.WriteByte(0);
    }

    private static void WriteUInt24(Span<byte> target, int value)
    {
        target[0] = (byte)value;
        target[1] = (byte)(value >> 8);
        target[2] = (byte)(value >> 16);
    }

    private static int ReadUInt24(ReadOnlySpan<byte> source) => source[0] | source[1] << 8 | source[2] << 16;
}
