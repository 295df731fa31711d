using TorchSharp;
using static TorchSharp.torch;

namespace DiffusionLab.Sampling;

/// <summary>
/// The workbench's one noise-seeding convention: one CPU generator per image, seeded by that image's seed, draws the
/// image's x_T and then every noise the sampler adds to it, in step order. So an image depends on its seed alone, not
/// on its batch, its batch size or its position (evaluation in batches of 250 and a 4-image grid agree), and a CPU
/// generator gives the same numbers on CPU and CUDA. A batch of one with seed s draws exactly what one generator per
/// call seeded s drew before.
/// </summary>
public sealed class ImageNoise : IDisposable
{
    private readonly Generator[] _generators;

    public ImageNoise(IReadOnlyList<long> seeds)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        if (seeds.Count == 0) throw new ArgumentException("seeds: expected at least one (one image per seed)", nameof(seeds));
        Seeds = seeds.ToArray();
        _generators = Seeds.Select(s => new Generator((ulong)s, CPU)).ToArray();
    }

    /// <summary>Seeds first, first + 1, …, first + count − 1.</summary>
    public static ImageNoise Consecutive(long first, int count) =>
        new(Enumerable.Range(0, count).Select(i => first + i).ToArray());

    public IReadOnlyList<long> Seeds { get; }

    public int Count => _generators.Length;

    /// <summary>Standard normal noise of <paramref name="shape"/> (N, …) with N = <see cref="Count"/>: row i from image i's generator.</summary>
    public Tensor Draw(long[] shape, Device device, ScalarType dtype = ScalarType.Float32)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape[0] != Count)
            throw new ArgumentException($"noise for shape [{string.Join(", ", shape)}]: expected {Count} rows, one per seed");
        long[] row = [1, .. shape[1..]];
        using var scope = torch.NewDisposeScope();
        var rows = _generators.Select(g => torch.randn(row, dtype, CPU, generator: g)).ToArray();
        return torch.cat(rows, 0).to(device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        foreach (var g in _generators) g.Dispose();
    }
}
