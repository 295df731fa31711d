using System.Buffers.Binary;

namespace DiffusionLab.Imaging;

/// <summary>
/// Whether an image file's container is whole. ImageSharp decodes a cut-short JPEG, GIF, WebP or BMP (and a PNG
/// with several IDAT chunks) without an error, filling what is missing with grey or black; a half-copied data set
/// would then train on broken images. Each check walks the format's own structure to its end marker (PNG IEND,
/// JPEG EOI, GIF trailer) or compares the size the header declares (WebP RIFF, BMP) with the bytes present.
/// </summary>
internal static class ImageFileCompleteness
{
    /// <summary>Null when whole; otherwise what is wrong ("truncated: ..."). <paramref name="format"/> is ImageSharp's format name.</summary>
    public static string? Problem(ReadOnlySpan<byte> data, string format) => format switch
    {
        "PNG" => Png(data),
        "JPEG" => Jpeg(data),
        "GIF" => Gif(data),
        "Webp" => Webp(data),
        "BMP" => Bmp(data),
        _ => null,
    };

    private static string Truncated(string what, int length) => $"truncated: {what}, but the file ends after {length} bytes";

    /// <summary>Chunks of length, type, data and CRC after the 8-byte signature, up to IEND.</summary>
    private static string? Png(ReadOnlySpan<byte> d)
    {
        int p = 8;
        while (true)
        {
            if (p + 8 > d.Length) return Truncated("no IEND chunk", d.Length);
            long length = BinaryPrimitives.ReadUInt32BigEndian(d[p..]);
            string type = System.Text.Encoding.ASCII.GetString(d.Slice(p + 4, 4));
            if (p + 12 + length > d.Length) return Truncated($"the {type} chunk at byte {p} needs {12 + length} bytes", d.Length);
            if (type == "IEND") return null;
            p += 12 + (int)length;
        }
    }

    /// <summary>Marker segments up to each start of scan, the scan's entropy-coded bytes to the next marker, and so on to EOI.</summary>
    private static string? Jpeg(ReadOnlySpan<byte> d)
    {
        int p = 2;
        while (true)
        {
            // Fill bytes (and, leniently, stray bytes libjpeg only warns about) before a marker.
            while (p < d.Length && d[p] != 0xFF) p++;
            while (p < d.Length && d[p] == 0xFF) p++;
            if (p >= d.Length) return Truncated("no end-of-image marker", d.Length);
            byte marker = d[p++];
            if (marker == 0xD9) return null;
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue; // no length
            if (p + 2 > d.Length) return Truncated($"the segment of marker FF{marker:X2} has no length", d.Length);
            int length = BinaryPrimitives.ReadUInt16BigEndian(d[p..]);
            if (p + length > d.Length) return Truncated($"the segment of marker FF{marker:X2} at byte {p - 2} needs {length + 2} bytes", d.Length);
            p += length;
            if (marker != 0xDA) continue;
            // Entropy-coded data: 0xFF is stuffed as FF 00, and restart markers FF D0..D7 belong to the scan.
            while (p + 1 < d.Length && !(d[p] == 0xFF && d[p + 1] != 0x00 && d[p + 1] is not (>= 0xD0 and <= 0xD7))) p++;
            if (p + 1 >= d.Length) return Truncated("the scan data has no end-of-image marker", d.Length);
        }
    }

    /// <summary>Header, screen descriptor and global colour table, then extension and image blocks (sub-blocks to a zero length) up to the trailer 0x3B.</summary>
    private static string? Gif(ReadOnlySpan<byte> d)
    {
        if (d.Length < 13) return Truncated("the screen descriptor needs 13 bytes", d.Length);
        int p = 13 + ColorTable(d[10]);
        while (true)
        {
            if (p >= d.Length) return Truncated("no trailer", d.Length);
            switch (d[p])
            {
                case 0x3B:
                    return null;
                case 0x21: // extension: introducer, label, sub-blocks
                    p = SubBlocks(d, p + 2);
                    break;
                case 0x2C: // image: descriptor, local colour table, LZW code size, sub-blocks
                    if (p + 10 > d.Length) return Truncated($"the image descriptor at byte {p} needs 10 bytes", d.Length);
                    p = SubBlocks(d, p + 10 + ColorTable(d[p + 9]) + 1);
                    break;
                default:
                    return $"corrupt: unknown GIF block 0x{d[p]:X2} at byte {p}";
            }
            if (p < 0) return Truncated("a data block is cut", d.Length);
        }
    }

    private static int ColorTable(byte flags) => (flags & 0x80) == 0 ? 0 : 3 << ((flags & 0x07) + 1);

    /// <summary>The position after a run of sub-blocks ending with a zero length, or −1 when the data ends first.</summary>
    private static int SubBlocks(ReadOnlySpan<byte> d, int p)
    {
        while (p < d.Length)
        {
            int size = d[p];
            p += 1 + size;
            if (size == 0) return p;
        }
        return -1;
    }

    /// <summary>RIFF: the size field counts every byte after it.</summary>
    private static string? Webp(ReadOnlySpan<byte> d)
    {
        if (d.Length < 12) return Truncated("the RIFF header needs 12 bytes", d.Length);
        long declared = 8L + BinaryPrimitives.ReadUInt32LittleEndian(d[4..]);
        return declared > d.Length ? Truncated($"its RIFF header declares {declared} bytes", d.Length) : null;
    }

    /// <summary>The file header's size (when set; some writers leave 0) and pixel-data offset.</summary>
    private static string? Bmp(ReadOnlySpan<byte> d)
    {
        if (d.Length < 14) return Truncated("the file header needs 14 bytes", d.Length);
        long size = BinaryPrimitives.ReadUInt32LittleEndian(d[2..]), offset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
        if (size > d.Length) return Truncated($"its header declares {size} bytes", d.Length);
        return offset >= d.Length ? Truncated($"its pixels start at byte {offset}", d.Length) : null;
    }
}
