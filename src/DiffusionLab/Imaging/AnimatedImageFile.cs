using DiffusionLab.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace DiffusionLab.Imaging;

/// <summary>
/// THE writer of clips (e.g. StoryDiffusion's transition frames): animated GIF or animated WebP from a list of frames
/// of one size, with per-frame delays and a play count (<see cref="AnimationSettings"/>). Files are written atomically.
/// </summary>
public static class AnimatedImageFile
{
    /// <summary>Writes frames (T,C,H,W) in [−1,1] (C = 1 or 3) to <paramref name="path"/>, .gif or .webp.</summary>
    public static void Save(Tensor frames, string path, AnimationSettings? settings = null) =>
        AtomicFile.WriteAllBytes(path, Encode(frames, FormatOf(path), settings));

    /// <summary>Frames (T,C,H,W) in [−1,1] (C = 1 or 3) as the bytes of an animated GIF or WebP (e.g. for a data: URI).</summary>
    public static byte[] Encode(Tensor frames, AnimationFormat format, AnimationSettings? settings = null)
    {
        if (frames.dim() != 4) throw new ArgumentException($"frames: expected (T,C,H,W), got [{string.Join(", ", frames.shape)}]");
        var images = new List<Image<Rgb24>>();
        try
        {
            for (long t = 0; t < frames.shape[0]; t++)
            {
                using var frame = frames[t];
                images.Add(TensorImages.ToImage(frame));
            }
            return Encode(images, format, settings ?? new AnimationSettings());
        }
        finally
        {
            foreach (var image in images) image.Dispose();
        }
    }

    /// <summary>Writes <paramref name="frames"/> (one size) to <paramref name="path"/>, .gif or .webp.</summary>
    public static void Save(IReadOnlyList<Image<Rgb24>> frames, string path, AnimationSettings? settings = null) =>
        AtomicFile.WriteAllBytes(path, Encode(frames, FormatOf(path), settings ?? new AnimationSettings()));

    /// <summary>The format a file name asks for: .gif or .webp, else an ArgumentException naming the file.</summary>
    public static AnimationFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".gif" => AnimationFormat.Gif,
        ".webp" => AnimationFormat.Webp,
        _ => throw new ArgumentException($"animation '{path}': expected a .gif or .webp file name"),
    };

    public static byte[] Encode(IReadOnlyList<Image<Rgb24>> frames, AnimationFormat format, AnimationSettings settings)
    {
        var problems = settings.Problems(frames.Count);
        if (problems.Count > 0) throw new ArgumentException($"animation settings: {problems[0]}");
        int width = frames[0].Width, height = frames[0].Height;
        for (int i = 1; i < frames.Count; i++)
            if (frames[i].Width != width || frames[i].Height != height)
                throw new ArgumentException($"frames: frame {i} is {frames[i].Width}x{frames[i].Height}, frame 0 {width}x{height}; expected one size");
        return format == AnimationFormat.Gif ? Gif(frames, settings) : Webp(frames, settings);
    }

    private static byte[] Gif(IReadOnlyList<Image<Rgb24>> frames, AnimationSettings settings)
    {
        using var gif = frames[0].Clone();
        for (int i = 1; i < frames.Count; i++) gif.Frames.AddFrame(frames[i].Frames.RootFrame);
        for (int i = 0; i < frames.Count; i++)
            gif.Frames[i].Metadata.GetGifMetadata().FrameDelay = Math.Max(1, (int)Math.Round(settings.DelayOf(i).TotalMilliseconds / 10));
        // Forever here; the play count is set in the written loop block below (ImageSharp 2 cannot write a count of 1).
        gif.Metadata.GetGifMetadata().RepeatCount = 0;
        using var stream = new MemoryStream();
        // A palette per frame: a clip's colours drift from frame to frame.
        gif.SaveAsGif(stream, new GifEncoder { ColorTableMode = GifColorTableMode.Local });
        return WithPlays(stream.ToArray(), settings.Plays);
    }

    /// <summary>
    /// Sets the NETSCAPE2.0 loop block: its count is the repeats after the first play (0: forever), and without the
    /// block a GIF plays once.
    /// </summary>
    private static byte[] WithPlays(byte[] gif, int plays)
    {
        if (plays == 0) return gif;
        ReadOnlySpan<byte> block = [0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01];
        int at = gif.AsSpan().IndexOf(block);
        if (at < 0) return gif; // one frame: nothing loops
        if (plays == 1) return [.. gif.AsSpan(0, at), .. gif.AsSpan(at + block.Length + 3)];
        var patched = (byte[])gif.Clone();
        patched[at + block.Length] = (byte)(plays - 1);
        patched[at + block.Length + 1] = (byte)((plays - 1) >> 8);
        return patched;
    }

    private static byte[] Webp(IReadOnlyList<Image<Rgb24>> frames, AnimationSettings settings)
    {
        var encoder = new WebpEncoder
        {
            FileFormat = settings.Lossless ? WebpFileFormatType.Lossless : WebpFileFormatType.Lossy,
            Quality = settings.Quality,
        };
        var stills = frames.Select(f =>
        {
            using var stream = new MemoryStream();
            f.SaveAsWebp(stream, encoder);
            return stream.ToArray();
        }).ToList();
        var delays = Enumerable.Range(0, frames.Count).Select(i => (int)Math.Round(settings.DelayOf(i).TotalMilliseconds)).ToList();
        return WebpContainer.Animate(stills, frames[0].Width, frames[0].Height, delays, settings.Plays);
    }
}
