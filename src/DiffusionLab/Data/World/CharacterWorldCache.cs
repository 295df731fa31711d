using DiffusionLab.IO;

namespace DiffusionLab.Data.World;

/// <summary>
/// An on-disk cache of rendered images so repeated epochs read bytes instead of drawing. One raw
/// file per image: <c>root/s{seed}-{size}px-r{RendererVersion}/{identity}/{index}.u8</c> holding the
/// H·W·3 RGB bytes then the H·W mask bytes, written atomically. Factors, traits and captions are
/// recomputed (they cost nothing), so only pixels are stored. A file of the wrong length is
/// treated as missing and rewritten. Safe to share between threads and processes.
/// </summary>
public sealed class CharacterWorldCache
{
    private readonly CharacterWorld _world;
    private long _hits, _misses;

    public CharacterWorldCache(CharacterWorld world, string root)
    {
        _world = world;
        var c = world.Config;
        Folder = Path.Combine(Path.GetFullPath(root), $"s{c.WorldSeed}-{c.ImageSize}px-r{CharacterWorld.RendererVersion}");
    }

    /// <summary>The folder of this world's seed, size and renderer version.</summary>
    public string Folder { get; }

    public long Hits => Interlocked.Read(ref _hits);
    public long Misses => Interlocked.Read(ref _misses);

    public string PathOf(int identity, int imageIndex) => Path.Combine(Folder, identity.ToString(), $"{imageIndex}.u8");

    /// <summary>The image from the cache, or rendered (and then stored) when it is not there yet.</summary>
    public CharacterImage Get(int identity, int imageIndex)
    {
        int n = _world.ImageSize * _world.ImageSize;
        string path = PathOf(identity, imageIndex);
        byte[]? bytes = null;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
        }
        if (bytes is not null && bytes.Length == n * 4)
        {
            Interlocked.Increment(ref _hits);
            return _world.Describe(identity, imageIndex, bytes[..(n * 3)], bytes[(n * 3)..]);
        }
        Interlocked.Increment(ref _misses);
        var image = _world.Render(identity, imageIndex);
        AtomicFile.Write(path, s =>
        {
            s.Write(image.Pixels);
            s.Write(image.Mask);
        });
        return image;
    }
}
